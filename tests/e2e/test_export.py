"""`newsagg export` against a database filled by a real demo crawl: every stored article comes out once
with the right story and its translations' URLs, in JSON Lines and CSV; stories once each; --since
resumes; progress shows on a terminal only."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from collections import defaultdict

from sqlalchemy import select

from crawler.cli import main
from storage.db import session_scope
from storage.models import Article, SourceRow
from storage.stories import story_key

from ..conftest import DemoDatabase


def _stored(db: str) -> dict[int, dict]:
    with session_scope(db) as session:
        rows = session.execute(select(Article, SourceRow.key).join(SourceRow)).all()
    groups: dict[int, dict[str, str]] = defaultdict(dict)
    for article, _ in rows:
        if article.group_id is not None:
            groups[article.group_id][article.lang] = article.canonical_url
    return {
        article.id: {
            "story_id": story_key(article.group_id, article.id),
            "source": source,
            "lang": article.lang,
            "title": article.title,
            "url": article.canonical_url,
            "translations": {
                lang: url for lang, url in groups.get(article.group_id or -1, {}).items() if lang != article.lang
            },
        }
        for article, source in rows
    }


def _export(capsys, db: str, *args: str) -> str:
    assert main(["export", "--db", db, *args]) == 0
    return capsys.readouterr().out


def test_jsonl_round_trips_every_article_once_with_its_story(demo_database: DemoDatabase, capsys):
    stored = _stored(demo_database.url)
    records = [json.loads(line) for line in _export(capsys, demo_database.url).splitlines()]
    assert sorted(r["id"] for r in records) == sorted(stored), "each article exactly once"
    for record in records:
        expected = stored[record["id"]]
        assert {key: record[key] for key in expected} == expected
    assert [r["stored_at"] for r in records] == sorted(r["stored_at"] for r in records)


def test_csv_round_trips_the_same_records(demo_database: DemoDatabase, capsys, tmp_path):
    out = tmp_path / "articles.csv"
    assert _export(capsys, demo_database.url, "--format", "csv", "--out", str(out)) == ""
    stored = _stored(demo_database.url)
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(int(r["id"]) for r in rows) == sorted(stored)
    for row in rows:
        expected = stored[int(row["id"])]
        assert (row["story_id"], row["lang"], row["title"], row["url"]) == (
            expected["story_id"],
            expected["lang"],
            expected["title"],
            expected["url"],
        )
        for lang in ("ru", "en", "ar"):
            assert row[f"{lang}_url"] == expected["translations"].get(lang, "")


def test_stories_come_out_once_each_and_filters_apply(demo_database: DemoDatabase, capsys):
    stored = _stored(demo_database.url)
    stories = [json.loads(line) for line in _export(capsys, demo_database.url, "--stories").splitlines()]
    assert sorted(s["id"] for s in stories) == sorted({a["story_id"] for a in stored.values()})
    members = {article_id for s in stories for article_id in (m["id"] for m in s["langs"].values())}
    assert members == set(stored)
    arabic = [json.loads(line) for line in _export(capsys, demo_database.url, "--lang", "ar").splitlines()]
    assert sorted(r["id"] for r in arabic) == sorted(i for i, a in stored.items() if a["lang"] == "ar")
    assert _export(capsys, demo_database.url, "--source", "nosuch") == ""


def test_since_resumes_where_a_cut_export_stopped(demo_database: DemoDatabase, capsys):
    full = [json.loads(line) for line in _export(capsys, demo_database.url).splitlines()]
    cut = full[: len(full) // 2]
    rest = [
        json.loads(line) for line in _export(capsys, demo_database.url, "--since", cut[-1]["stored_at"]).splitlines()
    ]
    # Inclusive: the last record comes again, and nothing is lost.
    assert rest[0]["id"] == cut[-1]["id"]
    assert [r["id"] for r in cut[:-1] + rest] == [r["id"] for r in full]


def test_progress_shows_on_a_terminal_and_not_in_a_pipe(demo_database: DemoDatabase, tmp_path):
    command = [sys.executable, "-m", "crawler.cli", "export", "--db", demo_database.url, "--out", str(tmp_path / "x")]
    piped = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert piped.returncode == 0 and piped.stderr == ""
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stderr=follower, stdout=subprocess.DEVNULL)
    os.close(follower)
    seen = io.BytesIO()
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen.write(chunk)
    assert process.wait(timeout=120) == 0
    os.close(leader)
    total = len(_stored(demo_database.url))
    assert f"exported {total} of {total}" in seen.getvalue().decode()
