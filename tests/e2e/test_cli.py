"""The `newsagg` command: each verb through its real entry point, and one clear line for user mistakes."""

from __future__ import annotations

import json
import socket

from sqlalchemy import select

from crawler.cli import main
from storage.db import session_scope
from storage.models import CrawlJob

from ..conftest import run_newsagg
from .ops import NO_WAITING


def test_sources_lists_the_shipped_sources(capsys):
    assert main(["sources", "--json"]) == 0
    listed = {s["key"]: s for s in json.loads(capsys.readouterr().out)}
    assert {e["lang"] for e in listed["tass"]["editions"]} == {"ru", "en"}
    assert listed["tass"]["max_age"] == "P2D"
    assert main(["sources"]) == 0
    assert "tass: TASS (timezone Europe/Moscow, schedule '*/15 * * * *', max_age 2d)" in capsys.readouterr().out


def test_crawl_since_must_be_a_date(tmp_path, capsys):
    assert main(["crawl", "tass", "--since", "last week", "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert "'last week' is not a date" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_db_upgrade_then_stats_on_an_empty_database(database_url, capsys):
    assert main(["db", "upgrade", "--db", database_url]) == 0
    assert main(["stats", "--db", database_url, "--json"]) == 0
    stats = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert stats["articles"] == 0 and stats["groups"] == 0 and stats["by_lang"] == {}
    assert {"articles", "by_lang", "by_source", "groups", "duplicates", "dropped", "errors", "job_id"} <= set(stats)


def test_a_crawl_setting_must_be_name_equals_value_and_nothing_is_created(tmp_path, capsys):
    db = tmp_path / "x.db"
    assert main(["crawl", "tass", "-s", "DOWNLOAD_DELAY", "--db", f"sqlite:///{db}"]) == 2
    assert "'DOWNLOAD_DELAY': expected NAME=VALUE" in capsys.readouterr().err
    assert not db.exists()


def test_a_bad_source_file_is_one_clear_line_and_a_non_zero_exit(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nname: X\neditions:\n  - lang: zz\n    domains: [x.org]\n", encoding="utf-8")
    db = tmp_path / "x.db"
    result = run_newsagg("crawl", "x", "--sources", str(bad), "--db", f"sqlite:///{db}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newsagg: error: {bad}: editions.0.lang: expected an ISO 639-1 language code such as ru, en or ar, got 'zz'"
    ]
    assert not db.exists(), "nothing may be written for a bad configuration"


def test_an_unknown_source_and_an_unreachable_database_are_reported(tmp_path):
    result = run_newsagg("crawl", "nosuch", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("newsagg: error: unknown source nosuch (configured: ")
    assert "tass" in line
    assert "Traceback" not in result.stderr
    result = run_newsagg("stats", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("newsagg: error: cannot reach database postgresql://nobody@127.0.0.1:1/none: ")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_crawl_that_cannot_fetch_anything_is_recorded_as_failed(tmp_path):
    port = _closed_port()
    source = tmp_path / "down.yaml"
    source.write_text(
        f"key: down\nname: Down\neditions:\n  - lang: en\n    domains: [127.0.0.1]\n"
        f"    feeds: [http://127.0.0.1:{port}/rss.xml]\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'down.db'}"
    result = run_newsagg("crawl", "down", "--sources", str(source), "--db", db, "--json", *NO_WAITING)
    assert result.returncode == 1, result.stderr
    with session_scope(db) as session:
        (job,) = session.scalars(select(CrawlJob)).all()
        assert (job.source_key, job.status) == ("down", "failed")
        assert job.reason.startswith("no page could be fetched (connection")
        assert job.finished_at is not None
