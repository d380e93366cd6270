"""Fingerprints, and the dedupe and store steps deciding what a page is: new, changed, unchanged or a copy."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select

from crawler.dedup.fingerprints import (
    content_hash,
    fingerprint_text,
    from_bytes,
    jaccard,
    normalize_text,
    shingles,
    signature,
    similarity,
    to_bytes,
)
from crawler.dedup.near_index import Entry, open_index
from crawler.pipelines import dedupe
from storage.db import Database, session_scope
from storage.models import Article, ArticleFingerprint, ArticleUrl, ArticleVersion, FetchState

from .dedup_pages import BOILERPLATE, HARBOUR, TRAINS, Pipeline, article_html

# --- fingerprints ---


def test_normalised_text_folds_unicode_forms_digits_case_and_spaces():
    assert normalize_text("Ｔｈｅ  ＮＥＷＳ\u00a0\n") == "the news"
    # Arabic-Indic and Eastern Arabic (Persian) digits read as ASCII digits.
    assert normalize_text("٢٠٢٦ و ۲۰۲۶") == "2026 و 2026"
    assert content_hash("Ставка  ЦБ — 16%") == content_hash("ставка цб — 16%\n")
    assert content_hash("سعر ١٠٠ دولار") == content_hash("سعر 100 دولار")


def test_shingles_are_word_windows_that_ignore_punctuation():
    assert shingles("One, two; three four five six!") == {"one two three four five", "two three four five six"}
    assert shingles("Too short") == {"too short"}
    assert shingles("") == set()


def test_a_signature_estimates_the_jaccard_similarity_of_shingles():
    original = "\n\n".join(HARBOUR)
    edited = "\n\n".join(HARBOUR[:3] + HARBOUR[4:])
    exact = jaccard(shingles(original), shingles(edited))
    a, b = signature(original), signature(edited)
    assert a is not None and b is not None
    assert abs(similarity(a, b) - exact) < 0.12
    assert similarity(a, signature("\n\n".join(TRAINS))) < 0.1
    assert similarity(a, from_bytes(to_bytes(a))) == 1.0


def test_texts_too_short_to_compare_have_no_signature():
    assert signature("Breaking: markets closed early today.") is None


def test_signatures_are_the_same_in_every_process():
    # Stored and shared signatures are only comparable if no process-specific hash seeds them.
    code = (
        "import sys; from crawler.dedup.fingerprints import signature, to_bytes; "
        "sys.stdout.write(to_bytes(signature(sys.argv[1])).hex())"
    )
    text = "\n\n".join(HARBOUR)
    other = subprocess.run(
        [sys.executable, "-c", code, text], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "7"}
    ).stdout
    values = signature(text)
    assert values is not None and other == to_bytes(values).hex()


# --- the pipeline ---

PAPER = "https://paper.example/news/harbour-wall"
WIRE = "https://wire.example/story/1"


@pytest.fixture
def paper(database_url, tmp_path):
    pipeline = Pipeline(database_url, tmp_path, "paper")
    yield pipeline
    pipeline.close()


@pytest.fixture
def wire(database_url, tmp_path):
    pipeline = Pipeline(database_url, tmp_path, "wire")
    yield pipeline
    pipeline.close()


def rows(database_url, model):
    with session_scope(database_url) as session:
        return list(session.scalars(select(model)))


def url_row(database_url, url):
    with session_scope(database_url) as session:
        return session.scalars(select(ArticleUrl).where(ArticleUrl.url == url)).one()


def test_a_new_article_is_stored_with_its_fingerprint_and_fetch_state(paper, database_url):
    item = paper.page(PAPER, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER))
    assert item.outcome == "new"
    (article,) = rows(database_url, Article)
    (fingerprint,) = rows(database_url, ArticleFingerprint)
    assert (fingerprint.article_id, fingerprint.lang) == (article.id, "en")
    assert [s.url for s in rows(database_url, FetchState)] == [PAPER]


def test_a_verbatim_copy_is_an_exact_duplicate_of_the_original(paper, wire, database_url):
    original = paper.page(PAPER, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER))
    copy = wire.page(
        WIRE,
        article_html(
            "Portmere to rebuild harbour wall", HARBOUR, canonical=WIRE, published="2026-03-02T11:00:00+00:00"
        ),
    )
    assert (copy.outcome, copy.duplicate_of, copy.similarity) == ("duplicate", original.article_id, 1.0)
    assert len(rows(database_url, Article)) == 1
    assert url_row(database_url, WIRE).kind == "duplicate"


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(HARBOUR[:3] + HARBOUR[4:], id="paragraph-dropped"),
        pytest.param([*HARBOUR, BOILERPLATE], id="boilerplate-appended"),
        pytest.param([*HARBOUR[:2], "The vote was 23 to 4, with two abstentions.", *HARBOUR[2:]], id="sentence-added"),
    ],
)
def test_an_edited_copy_is_a_near_duplicate_recorded_with_its_similarity(paper, wire, database_url, edit):
    original = paper.page(PAPER, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER))
    copy = wire.page(WIRE, article_html("Harbour wall", edit, canonical=WIRE, published="2026-03-02T12:00:00+00:00"))
    assert (copy.outcome, copy.duplicate_of) == ("near_duplicate", original.article_id)
    assert copy.similarity is not None and 0.5 <= copy.similarity < 1.0
    (article,) = rows(database_url, Article)
    assert article.canonical_url == PAPER
    row = url_row(database_url, WIRE)
    assert (row.kind, row.similarity, row.article_id) == ("near_duplicate", copy.similarity, article.id)
    assert wire.stats()["newsagg/duplicates/near_duplicate"] == 1


def test_a_different_article_is_not_a_near_duplicate(paper, database_url):
    paper.page(PAPER, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER))
    other = "https://paper.example/news/night-trains"
    assert paper.page(other, article_html("Daily night trains", TRAINS, canonical=other)).outcome == "new"
    assert len(rows(database_url, Article)) == 2


def test_an_earlier_published_near_copy_becomes_the_article(paper, wire, database_url):
    # The crawl met the wire's later copy first; the paper published earlier, so it owns the story.
    late = wire.page(
        WIRE, article_html("Harbour wall", [*HARBOUR, BOILERPLATE], canonical=WIRE, published="2026-03-02T12:00:00Z")
    )
    early = paper.page(PAPER, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER))
    assert (late.outcome, early.outcome) == ("new", "near_duplicate")
    (article,) = rows(database_url, Article)
    assert (article.id, article.canonical_url, article.title) == (late.article_id, PAPER, "Harbour wall to be rebuilt")
    assert url_row(database_url, WIRE).kind == "near_duplicate"
    assert url_row(database_url, PAPER).kind == "canonical"
    # The index now holds the paper's text: a third copy is compared with it.
    (fingerprint,) = rows(database_url, ArticleFingerprint)
    assert (
        from_bytes(fingerprint.signature).tolist()
        == signature("Harbour wall to be rebuilt\n\n" + "\n\n".join(HARBOUR)).tolist()
    )


def test_a_declared_syndication_is_recorded_as_syndicated(paper, wire, database_url):
    original = paper.page(PAPER, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER))
    # The wire's copy names the paper's page as its canonical: a publisher-declared syndication.
    copy = wire.page(WIRE, article_html("Harbour wall", [*HARBOUR, BOILERPLATE], canonical=PAPER))
    assert (copy.outcome, copy.duplicate_of) == ("syndicated", original.article_id)
    row = url_row(database_url, WIRE)
    assert (row.kind, row.article_id) == ("syndicated", original.article_id)
    assert 0.5 <= row.similarity < 1.0
    # A canonical naming another site's unrelated article is not believed.
    other = "https://wire.example/story/2"
    assert wire.page(other, article_html("Night trains", TRAINS, canonical=PAPER)).outcome == "new"


def test_a_changed_page_gains_a_version_and_an_unchanged_one_writes_nothing(paper, database_url):
    first = paper.page(PAPER, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER))
    corrected = [*HARBOUR[:4], HARBOUR[4].replace("Helen Rusk", "Helena Rusk"), "Correction: the mayor's name."]
    changed = paper.page(PAPER, article_html("Harbour wall to be rebuilt", corrected, canonical=PAPER))
    assert (first.outcome, changed.outcome) == ("new", "updated")
    (article,) = rows(database_url, Article)
    assert article.version == 2 and article.modified_at is not None and "Helena Rusk" in article.body
    (old,) = rows(database_url, ArticleVersion)
    assert (old.version, "Helen Rusk" in old.body) == (1, True)

    def consumer_rows():
        return [
            [(a.id, a.version, a.content_hash, a.last_fetched_at, a.modified_at) for a in rows(database_url, Article)],
            [(u.url, u.kind, u.last_seen_at) for u in rows(database_url, ArticleUrl)],
            [(v.id, v.version) for v in rows(database_url, ArticleVersion)],
            [(f.id, f.signature) for f in rows(database_url, ArticleFingerprint)],
        ]

    before = consumer_rows()
    again = paper.page(PAPER, article_html("Harbour wall to be rebuilt", corrected, canonical=PAPER))
    assert again.outcome == "unchanged"
    assert consumer_rows() == before


def test_every_address_of_a_page_resolves_to_its_article(paper, database_url):
    amp = PAPER + "/amp"
    tracked = PAPER + "?utm_source=rss&utm_medium=feed&fbclid=x1"
    spider = paper.crawler.spider
    request = spider.article_request(tracked)  # the spider asks for the canonical form, noting the variant
    assert request is not None and request.url == PAPER
    item = paper.item(request.url, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER, amphtml=amp))
    item.seen_urls = list(spider.variants[request.url])
    paper.run(item, paper.steps)
    (article,) = rows(database_url, Article)
    assert article.canonical_url == PAPER
    assert url_row(database_url, amp).kind == "amp"  # known only from <link rel=amphtml>
    assert url_row(database_url, tracked).article_id == item.article_id


def test_a_page_stored_by_another_crawler_meanwhile_is_decided_again(paper, database_url, tmp_path, monkeypatch):
    # Two crawlers took the same new page; the second to store it must neither fail nor store it twice.
    html = article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER)
    other = Pipeline(database_url, tmp_path, "paper")
    persist = other.steps[-1]
    pending = other.run(other.item(PAPER, html), other.steps[:-1])
    with Database.from_crawler(other.crawler).session() as session:
        persist.dedupe.process(session, pending)
    assert pending.outcome == "new"
    stored = paper.page(PAPER, html)
    # The other crawler's unit of work writes its decision, taken before the page was stored.
    decide, attempts = persist.dedupe.process, []

    def stale_first(session, item):
        attempts.append(item.outcome)
        if len(attempts) > 1:  # the retry decides again
            decide(session, item)

    monkeypatch.setattr(persist.dedupe, "process", stale_first)
    other.run(pending, [persist])
    assert attempts == ["new", "new"]
    assert (pending.outcome, pending.article_id) == ("unchanged", stored.article_id)
    assert other.stats()["newsagg/store/raced"] == 1
    with session_scope(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
    other.close()


def test_a_copy_whose_original_is_stored_while_it_is_decided_is_still_an_exact_duplicate(
    paper, wire, database_url, monkeypatch
):
    # Another worker stores the original after this one looked its text up and before it asks the index.
    original = paper.page(PAPER, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER))
    lookups: list[str] = []

    def not_yet_stored(session, text_hash):
        lookups.append(text_hash)
        return None

    monkeypatch.setattr(dedupe, "find_by_hash", not_yet_stored)
    copy = wire.page(WIRE, article_html("Portmere to rebuild harbour wall", HARBOUR, canonical=WIRE))
    assert lookups, "the copy's text was never looked up"
    assert (copy.outcome, copy.duplicate_of, copy.similarity) == ("duplicate", original.article_id, 1.0)
    assert url_row(database_url, WIRE).kind == "duplicate"


def test_an_index_entry_the_database_does_not_hold_is_ignored(paper, database_url):
    # The database is the truth: a stale entry (a Redis that outlived its database, say) matches nothing.
    stale = Entry(10_000, 4242, "en", signature(fingerprint_text("x", "\n\n".join(HARBOUR))))
    open_index(Database.from_crawler(paper.crawler), 0.5).add(stale)
    assert paper.page(PAPER, article_html("Harbour wall to be rebuilt", HARBOUR, canonical=PAPER)).outcome == "new"
