"""`newsagg inspect` on real third-party pages: it runs on every one, and is right on the ru and ar pages."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from crawler.cli import main

from ..conftest import REALWORLD_DIR

INSPECT_KEYS = {
    "url",
    "canonical_url",
    "title",
    "body",
    "lang",
    "lang_confidence",
    "declared_lang",
    "published_at",
    "published_local",
    "modified_at",
    "authors",
    "description",
    "alternates",
    "is_article",
    "drop_reason",
}


def groundtruth_records() -> list[dict]:
    """Every page with ground truth; empty where ../shared/realworld is absent (a user's fresh clone)."""
    records = []
    for path in sorted(REALWORLD_DIR.glob("*/groundtruth.json")):
        records.extend(json.loads(path.read_text(encoding="utf-8")))
    return records


RECORDS = groundtruth_records()
RU_AR = [r for r in RECORDS if r["lang"] in ("ru", "ar")]


def inspect_json(realworld: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["inspect", str(realworld / record["file"]), "--url", record["url"], "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_real_pages_are_there(realworld):
    # Fails under CI=true when ../shared/realworld is missing, so the tests below cannot skip silently.
    assert len(groundtruth_records()) > 50
    assert len(RU_AR) >= 15


@pytest.mark.parametrize("record", RECORDS, ids=[r["file"] for r in RECORDS])
def test_inspect_runs_on_every_real_page(realworld, record, capsys):
    result = inspect_json(realworld, record, capsys)
    assert set(result) >= INSPECT_KEYS
    assert result["url"] == record["url"]
    assert isinstance(result["alternates"], dict) and isinstance(result["authors"], list)
    assert result["is_article"] == (result["drop_reason"] is None)


def same_day(record: dict, published_local: str, published_at: str) -> bool:
    """Day-level agreement at the page's own day: the ground truth's calendar day (in the offset it
    states) against the first 10 characters of ``published_local``, the date as the page gives it.

    Some ground truth gives a bare date in UTC rather than the publisher's day: then the UTC moment
    must fall on it in some zone from UTC-12 to UTC+14.
    """
    truth = record["date"]
    if date.fromisoformat(published_local[:10]) == date.fromisoformat(truth[:10]):
        return True
    ours = datetime.fromisoformat(published_at)
    return len(truth) == 10 and any(
        (ours + timedelta(hours=h)).date() == date.fromisoformat(truth) for h in range(-12, 15)
    )


@pytest.mark.parametrize("record", RU_AR, ids=[r["file"] for r in RU_AR])
def test_inspect_gets_title_language_and_date_right_on_ru_and_ar_pages(realworld, record, capsys):
    result = inspect_json(realworld, record, capsys)
    assert result["lang"] == record["lang"]
    if record.get("title"):
        assert " ".join(result["title"].split()) == " ".join(record["title"].split())
    if record.get("date"):
        assert result["published_at"] and result["published_local"], "no date found"
        assert same_day(record, result["published_local"], result["published_at"]), (record, result["published_local"])


def test_inspect_as_a_command_on_a_saved_page(realworld):
    record = next(r for r in RU_AR if r.get("title") and r.get("date"))
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "inspect", str(realworld / record["file"]), "--url", record["url"]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"title: {record['title']}" in result.stdout
    assert f"lang: {record['lang']}" in result.stdout


def test_inspect_of_a_file_without_its_address_is_a_clear_error(realworld, capsys):
    record = RU_AR[0]
    assert main(["inspect", str(realworld / record["file"])]) == 2
    assert capsys.readouterr().err.strip().endswith("is a file: give the page's address with --url URL")


def test_inspect_names_the_claiming_source_edition_and_pattern(capsys):
    page = Path(__file__).parents[1] / "settings" / "pages" / "rt" / "ru.html"
    url = "https://russian.rt.com/science/news/1400123-arktika-led-rekord"
    assert main(["inspect", str(page), "--url", url, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["source"], result["edition"], result["claim_reason"]) == ("rt", "ru", None)
    assert result["pattern"].startswith("^https?://russian\\.rt\\.com/")
    assert (result["is_article"], result["drop_reason"]) == (True, None)


def test_inspect_says_no_edition_for_a_url_no_edition_takes(capsys):
    # The same page under an address of the site that no pattern takes: a crawl would never request it.
    page = Path(__file__).parents[1] / "settings" / "pages" / "rt" / "ru.html"
    url = "https://russian.rt.com/inotv/catalog/channel/Euronews"
    assert main(["inspect", str(page), "--url", url]) == 0
    out = capsys.readouterr().out
    assert "source: rt\n" in out and "edition: None\n" in out and "claim_reason: no_pattern\n" in out
    assert "is_article: False\n" in out and "drop_reason: no_edition\n" in out
