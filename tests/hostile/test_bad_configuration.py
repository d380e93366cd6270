"""Bad configuration: one clear line naming what is wrong and where, a non-zero exit, nothing written.

Each case runs the ``newsagg`` command as a user would, in a process of its own.
"""

from __future__ import annotations

import socket
import subprocess
from functools import partial
from pathlib import Path

import pytest

from ..conftest import run_newsagg

newsagg = partial(run_newsagg, timeout=120)

GOOD_EDITION = "editions:\n  - lang: en\n    domains: [news.example]\n"


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsagg: error: "), result.stderr
    return lines[0].removeprefix("newsagg: error: ")


def crawl_with_source(tmp_path: Path, text: str | bytes) -> tuple[str, Path, Path]:
    """``newsagg crawl x`` with the source file ``text``; the error line, the file, the database file."""
    source = tmp_path / "x.yaml"
    source.write_bytes(text if isinstance(text, bytes) else text.encode())
    db = tmp_path / "x.db"
    line = one_clear_line(newsagg("crawl", "x", "--sources", str(source), "--db", f"sqlite:///{db}", cwd=tmp_path))
    assert not db.exists(), "nothing may be written for a bad configuration"
    return line, source, db


@pytest.mark.parametrize(
    ("case", "text", "expected"),
    [
        pytest.param(
            "malformed YAML",
            "key: x\nname: X\neditions:\n  - lang: en\n    domains: [news.example\n    feeds: []\n",
            "not valid YAML at line 6: expected ',' or ']'",
            id="malformed-yaml",
        ),
        pytest.param(
            "unknown language code",
            "key: x\nname: X\neditions:\n  - lang: zz\n    domains: [news.example]\n",
            "editions.0.lang: expected an ISO 639-1 language code such as ru, en or ar, got 'zz'",
            id="unknown-language",
        ),
        pytest.param(
            "bad cron expression",
            f"key: x\nname: X\nschedule: every hour\n{GOOD_EDITION}",
            "schedule: expected a cron expression such as '*/15 * * * *', got 'every hour'",
            id="bad-cron",
        ),
        pytest.param(
            "cron field out of range in an edition",
            "key: x\nname: X\neditions:\n  - lang: en\n    domains: [news.example]\n    schedule: '61 * * * *'\n",
            "editions.0.schedule: expected a cron expression such as '*/15 * * * *', got '61 * * * *'",
            id="bad-edition-cron",
        ),
        pytest.param(
            "unknown time zone",
            f"key: x\nname: X\ntimezone: Mars/Olympus\n{GOOD_EDITION}",
            "timezone: expected an IANA time zone such as Europe/Moscow, got 'Mars/Olympus'",
            id="bad-timezone",
        ),
        pytest.param(
            "invalid regular expression",
            f"key: x\nname: X\n{GOOD_EDITION}    article_urls: ['(unclosed']\n",
            "editions.0.article_urls.0: expected a valid regular expression, got '(unclosed'",
            id="bad-regex",
        ),
        pytest.param(
            "misspelt key",
            "key: x\nname: X\neditions:\n  - lang: en\n    domain: [news.example]\n",
            "editions.0.domain: unknown key",
            id="misspelt-key",
        ),
        pytest.param(
            "feed that is not an http URL",
            f"key: x\nname: X\n{GOOD_EDITION}    feeds: ['file:///etc/passwd']\n",
            "editions.0.feeds.0: expected an absolute http(s) URL, got 'file:///etc/passwd'",
            id="non-http-feed",
        ),
        pytest.param("empty file", "", "expected a mapping with key, name and editions", id="empty-file"),
        pytest.param("not UTF-8", b"key: x\nname: \xff\xfe\n", "cannot be read: 'utf-8' codec", id="not-utf8"),
    ],
)
def test_a_bad_source_file_is_one_line_naming_file_and_field(tmp_path, case, text, expected):
    line, source, _ = crawl_with_source(tmp_path, text)
    assert line.startswith(f"{source}: "), case
    assert expected in line, case


def test_a_bad_file_found_through_newsagg_sources_is_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nname: X\neditions:\n  - lang: en\n    domains: [news.example\n", encoding="utf-8")
    line = one_clear_line(newsagg("sources", cwd=tmp_path, env={"NEWSAGG_SOURCES": str(bad)}))
    assert line.startswith(f"{bad}: not valid YAML at line ")


def test_an_unknown_language_on_the_command_line_is_named(tmp_path):
    db = tmp_path / "x.db"
    line = one_clear_line(newsagg("crawl", "tass", "--lang", "xx", "--db", f"sqlite:///{db}", cwd=tmp_path))
    assert line == "source tass has no edition in xx"
    assert not db.exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_postgresql_url_is_named_and_nothing_runs(tmp_path):
    port = _closed_port()
    line = one_clear_line(
        newsagg("crawl", "tass", "--db", f"postgresql://newsagg:secret@127.0.0.1:{port}/news", cwd=tmp_path)
    )
    assert line.startswith(f"cannot reach database postgresql://newsagg:***@127.0.0.1:{port}/news: ")
    assert "secret" not in line
    assert list(tmp_path.iterdir()) == []


def test_a_sqlite_file_in_a_missing_folder_is_named(tmp_path):
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}"
    line = one_clear_line(newsagg("crawl", "tass", "--db", url, cwd=tmp_path))
    assert line.startswith(f"cannot reach database {url}: unable to open database file")
    assert list(tmp_path.iterdir()) == []


def test_a_database_url_that_is_not_one_is_named(tmp_path):
    line = one_clear_line(newsagg("stats", cwd=tmp_path, env={"NEWSAGG_DATABASE_URL": "newsagg.db"}))
    assert line == "not a database URL: 'newsagg.db' (expected e.g. sqlite:///newsagg.db)"
    assert list(tmp_path.iterdir()) == []
