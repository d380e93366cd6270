"""The container files: the demo service runs only on request, your sources folder is mounted, and the
build context leaves out the repository's history, virtualenvs and databases."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_keeps_the_demo_behind_a_profile_and_mounts_sources():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    assert services["demo"]["profiles"] == ["demo"]
    for name in ("demo", "crawler", "scheduler"):
        assert "./sources:/sources:ro" in services[name]["volumes"]
        # The spool (NEWSAGG_SPOOL_DIR's default under the image's working directory) outlives the container.
        assert "spool:/home/newsagg/newsagg-spool" in services[name]["volumes"]
        assert services[name]["environment"]["NEWSAGG_SOURCES"] == "/sources"
    assert "profiles" not in services["api"] and "profiles" not in services["scheduler"]


def test_the_build_context_leaves_out_what_the_image_does_not_need():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "*.db", "tests"} <= set(ignored)
    for needed in ("crawler", "storage", "settings", "pyproject.toml", "README.md"):
        assert needed not in ignored
