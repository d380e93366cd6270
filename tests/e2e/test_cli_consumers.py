"""The command line as a new user meets it: --version, read-only commands that never create a database,
a quiet crawl of a dead host, a demo site that stays up, and summaries that tell this run from the totals."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys

import pytest
import yaml
from sqlalchemy import select

from crawler import __version__
from crawler.cli import main
from crawler.commands.report import render_summary
from crawler.ops.crawl_runner import crawl_settings
from storage.db import session_scope
from storage.models import CrawlJob

from ..conftest import DemoDatabase, run_newsagg
from .ops import NO_WAITING


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out == f"newsagg {__version__}\n"


@pytest.mark.parametrize("command", [["stats"], ["jobs"], ["export"], ["serve", "--port", "0"]])
def test_read_only_commands_never_create_a_database(command, tmp_path, capsys):
    missing = tmp_path / "typo" / "newsagg.db"
    assert main([*command, "--db", f"sqlite:///{missing}"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"newsagg: error: no database at {missing}: crawl into it first, or create it with `newsagg db upgrade`"
    ]
    assert not missing.exists() and not missing.parent.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    assert main([*command, "--db", f"sqlite:///{empty}"]) == 2
    assert "has no newsagg schema: run `newsagg db upgrade`" in capsys.readouterr().err
    with sqlite3.connect(empty) as connection:
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == [], "nothing was migrated into it"


def test_a_crawl_of_an_unreachable_host_is_a_few_plain_lines(tmp_path):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    sources = tmp_path / "dead.yaml"
    edition = {"lang": "en", "domains": ["127.0.0.1"], "start_urls": [f"{base}/"], "feeds": [f"{base}/feed.xml"]}
    sources.write_text(yaml.safe_dump([{"key": "dead", "name": "Dead", "editions": [edition]}]), encoding="utf-8")
    result = run_newsagg(
        "crawl", "dead", "--sources", str(sources), "--db", f"sqlite:///{tmp_path / 'x.db'}", *NO_WAITING
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert len(lines) <= 5, result.stderr
    assert any("robots.txt of 127.0.0.1" in line and "refused" in line for line in lines)
    for url in (f"{base}/", f"{base}/feed.xml"):
        assert any(f"connection: {url} (" in line for line in lines), result.stderr
    assert lines[-1] == "newsagg crawl: dead failed; pages 0, new 0, updated 0, dropped 0, errors 2"
    assert "This run: pages 0, new 0" in result.stdout and "Database totals:" in result.stdout


def test_scrapy_listens_on_nothing():
    settings = crawl_settings("sqlite://", [], {})
    assert not settings.getbool("TELNETCONSOLE_ENABLED") and not settings.getbool("REMOTE_CONTROL_ENABLED")


def test_the_demo_summary_is_this_run_then_the_totals(demo_database: DemoDatabase):
    summary = demo_database.summary
    with session_scope(demo_database.url) as session:
        jobs = list(session.scalars(select(CrawlJob).where(CrawlJob.id.in_(summary["job_ids"]))))
    run = summary["run"]
    assert run["pages"] == sum(job.pages for job in jobs) > 0
    assert run["new"] == sum(job.stored for job in jobs) and run["updated"] == sum(job.updated for job in jobs)
    assert sum(run["errors"].values()) == sum(sum(job.errors.values()) for job in jobs) > 0
    text = render_summary(summary, heading="Demo crawl finished")
    assert text.index("This run: pages ") < text.index("Database totals:") < text.index("  articles: ")


def test_demo_serve_keeps_the_site_up_for_other_commands(tmp_path):
    sources = tmp_path / "demo-sources.yaml"
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "demo", "--serve", "--port", "0", "--sources-out", str(sources)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = server.stdout.readline()
        assert first.startswith("newsagg demo: serving the demo site at http://127.0.0.1:"), first
        base = first.split()[7].rstrip("/")
        keys = [source["key"] for source in yaml.safe_load(sources.read_text(encoding="utf-8"))]
        assert "demo" in keys
        result = run_newsagg("sources", "--sources", str(sources), "--json")
        demo = next(s for s in json.loads(result.stdout) if s["key"] == "demo")
        start = next(url for edition in demo["editions"] for url in edition["start_urls"])
        assert start.startswith(base)
        inspected = run_newsagg("inspect", start, "--sources", str(sources), "--source", "demo", "--json")
        assert inspected.returncode == 0, inspected.stderr
        assert json.loads(inspected.stdout)["url"].startswith(base)
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
        server.stdout.close()
        server.stderr.close()
