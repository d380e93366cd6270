"""Layers import only downward: a module may import its own package and the layers listed before it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# Lowest first. Packages on one line are peers: neither may import the other.
LAYERS: list[tuple[str, ...]] = [
    ("settings",),
    ("storage",),
    ("crawler.urls", "crawler.limits"),
    ("crawler.extract",),
    ("crawler.discovery", "crawler.dedup", "crawler.linking"),
    ("crawler.items",),
    ("crawler.fetch",),
    ("crawler.pipelines",),
    ("crawler.spiders",),
    ("crawler.ops",),
    ("crawler.web", "crawler.demo"),
    ("crawler.commands",),
    ("crawler.cli",),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def layer_of(module: str) -> str | None:
    """The longest entry of LAYERS that ``module`` is, or sits inside."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ".".join(parts[:length])
        if candidate in RANK:
            return candidate
    return None


def project_modules() -> dict[str, Path]:
    modules = {}
    for top in ("settings", "storage", "crawler"):
        for path in (REPO_ROOT / top).rglob("*.py"):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def upward_imports(modules: dict[str, Path]) -> list[str]:
    wrong = []
    for module, path in sorted(modules.items()):
        own = layer_of(module)
        if own is None:
            continue
        reported: set[str] = set()
        for target in sorted(imported_modules(path)):
            other = layer_of(target)
            if other is None or other == own or other in reported:
                continue
            if RANK[other] >= RANK[own]:
                reported.add(other)
                wrong.append(f"{module} imports {target} ({other} is not below {own})")
    return wrong


def test_every_module_belongs_to_a_layer() -> None:
    unplaced = sorted(m for m in project_modules() if layer_of(m) is None and m not in {"crawler"})
    assert unplaced == [], f"place these in tests/test_layers.py LAYERS: {unplaced}"


def test_no_module_imports_a_higher_or_peer_layer() -> None:
    assert upward_imports(project_modules()) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("storage.articles", "from crawler.linking.evidence import strength\n", "storage.articles imports crawler"),
        ("crawler.extract.dates", "import crawler.pipelines.store\n", "crawler.extract.dates imports crawler"),
        ("crawler.dedup.near_index", "from crawler.linking import evidence\n", "crawler.dedup.near_index imports"),
    ],
)
def test_the_check_catches_an_upward_import(tmp_path: Path, module: str, source: str, expected: str) -> None:
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    wrong = upward_imports({module: path})
    assert len(wrong) == 1 and wrong[0].startswith(expected)


# What a module outside storage/ may take from SQLAlchemy: a session to pass on, its errors, URL parsing.
# Queries (select, insert, func, text ...) are built in storage/ only.
SQL_OUTSIDE_STORAGE = ("sqlalchemy.orm.Session", "sqlalchemy.exc", "sqlalchemy.engine.make_url")


def queries_outside_storage(modules: dict[str, Path]) -> list[str]:
    wrong = []
    for module, path in sorted(modules.items()):
        if module.split(".")[0] == "storage":
            continue
        imported = imported_modules(path)
        for target in sorted(imported):
            if target.split(".")[0] != "sqlalchemy" or any(
                target.startswith(allowed) for allowed in SQL_OUTSIDE_STORAGE
            ):
                continue
            # "from sqlalchemy.orm import Session" also records the bare package; only its names matter.
            if any(other.startswith(f"{target}.") for other in imported):
                continue
            wrong.append(f"{module} imports {target}")
    return wrong


def test_all_sql_lives_in_storage() -> None:
    assert queries_outside_storage(project_modules()) == []


@pytest.mark.parametrize(
    "source",
    ["from sqlalchemy import select\n", "import sqlalchemy\n", "from sqlalchemy.orm import Session, aliased\n"],
)
def test_the_check_catches_a_query_outside_storage(tmp_path: Path, source: str) -> None:
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    assert len(queries_outside_storage({"crawler.pipelines.link": path})) == 1
    assert queries_outside_storage({"storage.articles": path}) == []
