"""The near-duplicate index, in memory and in the real Redis on 127.0.0.1: one behaviour, two homes."""

from __future__ import annotations

import uuid

import pytest
import redis

from crawler.dedup.fingerprints import METHOD, signature, to_bytes
from crawler.dedup.near_index import Entry, MemoryIndex, NearDuplicateIndex, open_index
from crawler.dedup.redis_index import RedisIndex
from storage.db import session_scope, upgrade
from storage.fingerprints import save_fingerprint
from storage.models import Article, SourceRow
from storage.redis_state import RedisState

from ..conftest import REDIS_URL, _unavailable
from .dedup_pages import BOILERPLATE, HARBOUR, TRAINS

HARBOUR_TEXT = "\n\n".join(HARBOUR)
COPY_TEXT = "\n\n".join([*HARBOUR, BOILERPLATE])
TRAINS_TEXT = "\n\n".join(TRAINS)


def sig(text):
    values = signature(text)
    assert values is not None
    return values


@pytest.fixture
def redis_state():
    """The real Redis, under a prefix of this test's own; its keys are removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        _unavailable("Redis", error)
    state = RedisState(client, prefix=f"newsagg-test-{uuid.uuid4().hex[:10]}")
    yield state
    for key in client.scan_iter(match=f"{state.prefix}:*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def make_index(request):
    """A factory of indexes of one kind over one database (several mean several crawl processes)."""
    state = request.getfixturevalue("redis_state") if request.param == "redis" else None
    open_database = request.getfixturevalue("open_database")

    def make(database_url: str, threshold: float = 0.5) -> NearDuplicateIndex:
        if state is None:
            return MemoryIndex(open_database(database_url), threshold)
        return RedisIndex(open_database(database_url), threshold, state)

    return make


def store(database_url, *texts, lang="en"):
    """Articles with these texts and their fingerprint rows, as the store step leaves them."""
    entries = []
    with session_scope(database_url) as session:
        source = SourceRow(key=f"s{uuid.uuid4().hex[:6]}", name="S")
        session.add(source)
        session.flush()
        for index, text in enumerate(texts):
            article = Article(
                source_id=source.id,
                canonical_url=f"https://example.org/{source.key}/{index}",
                lang=lang,
                lang_confidence=1.0,
                body=text,
                content_hash=uuid.uuid4().hex,
            )
            session.add(article)
            session.flush()
            row = save_fingerprint(session, article, to_bytes(sig(text)), METHOD)
            entries.append(Entry(row.id, article.id, lang, sig(text)))
    return entries


def test_an_edited_copy_finds_its_original_and_a_different_story_finds_nothing(make_index, database_url):
    original, _other = store(database_url, HARBOUR_TEXT, TRAINS_TEXT)
    index = make_index(database_url)
    index.refresh()
    match = index.best_match("en", sig(COPY_TEXT))
    assert match is not None and match.article_id == original.article_id
    assert 0.5 <= match.similarity < 1.0
    assert index.best_match("en", sig("\n\n".join(TRAINS[:2] + HARBOUR[:1]))) is None


def test_languages_are_searched_apart(make_index, database_url):
    store(database_url, HARBOUR_TEXT, lang="ru")
    index = make_index(database_url)
    index.refresh()
    assert index.best_match("en", sig(COPY_TEXT)) is None
    assert index.best_match("ru", sig(COPY_TEXT)) is not None


def test_the_threshold_decides(make_index, database_url):
    store(database_url, HARBOUR_TEXT)
    dropped = "\n\n".join(HARBOUR[:2])  # keeps well under half of the shingles
    loose, strict = make_index(database_url, 0.3), make_index(database_url, 0.9)
    for index in (loose, strict):
        index.refresh()
    assert loose.best_match("en", sig(dropped)) is not None
    assert strict.best_match("en", sig(dropped)) is None
    with pytest.raises(ValueError, match="threshold"):
        make_index(database_url, 1.5)


def test_a_replaced_signature_stands_for_its_article(make_index, database_url):
    (entry,) = store(database_url, HARBOUR_TEXT)
    index = make_index(database_url)
    index.add(entry)
    index.add(Entry(entry.row_id + 100, entry.article_id, "en", sig(TRAINS_TEXT)))
    assert index.best_match("en", sig(COPY_TEXT)) is None
    assert index.best_match("en", sig(TRAINS_TEXT)).article_id == entry.article_id
    index.discard(entry.article_id)
    assert index.best_match("en", sig(TRAINS_TEXT)) is None


def test_what_another_process_stored_is_found(make_index, database_url):
    # Two crawl processes: each has its own index object over the same database (and Redis).
    first, second = make_index(database_url), make_index(database_url)
    first.refresh()
    second.refresh()
    (entry,) = store(database_url, HARBOUR_TEXT)
    first.add(entry)  # the process that stored it indexes it after its commit
    second.refresh()  # the other one learns of it before its next search
    match = second.best_match("en", sig(COPY_TEXT))
    assert match is not None and match.article_id == entry.article_id


def test_a_row_committed_but_never_indexed_is_found_after_a_restart(make_index, database_url):
    index = make_index(database_url)
    index.refresh()
    (entry,) = store(database_url, HARBOUR_TEXT)  # its process died before it told the index
    restarted = make_index(database_url)
    restarted.refresh()
    assert restarted.best_match("en", sig(COPY_TEXT)).article_id == entry.article_id


@pytest.mark.redis
def test_redis_that_lost_the_index_is_rebuilt_from_the_database(open_database, redis_state, database_url):
    (entry,) = store(database_url, HARBOUR_TEXT)
    index = RedisIndex(open_database(database_url), 0.5, redis_state)
    index.refresh()
    assert index.best_match("en", sig(COPY_TEXT)).article_id == entry.article_id
    for key in redis_state.client.scan_iter(match=f"{redis_state.prefix}:*"):
        redis_state.client.delete(key)  # a restart without persistence, say
    assert index.best_match("en", sig(COPY_TEXT)) is None
    index.refresh()  # what the dedupe step does before each search
    assert index.best_match("en", sig(COPY_TEXT)).article_id == entry.article_id


def test_an_unreachable_redis_falls_back_to_memory(open_database, database_url):
    (entry,) = store(database_url, HARBOUR_TEXT)
    nowhere = RedisState.from_url("redis://127.0.0.1:1/0", prefix="newsagg-test-unreachable")
    index = RedisIndex(open_database(database_url), 0.5, nowhere)
    index.refresh()
    assert index.degraded
    assert index.best_match("en", sig(COPY_TEXT)).article_id == entry.article_id


def test_the_components_of_one_crawl_share_one_index_and_other_crawls_have_their_own(open_database, database_url):
    crawl, other_crawl = open_database(database_url), open_database(database_url)
    assert open_index(crawl, 0.5) is open_index(crawl, 0.5)
    assert open_index(crawl, 0.5) is not open_index(crawl, 0.6)
    assert open_index(crawl, 0.5) is not open_index(other_crawl, 0.5)


@pytest.mark.redis
def test_a_database_recreated_under_the_same_url_is_not_answered_from_redis(open_database, redis_state, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'again.db'}"
    upgrade(database_url)
    store(database_url, HARBOUR_TEXT)
    RedisIndex(open_database(database_url), 0.5, redis_state).refresh()
    (tmp_path / "again.db").unlink()
    upgrade(database_url)  # the same URL, an empty database: the ids Redis holds name nothing in it
    index = RedisIndex(open_database(database_url), 0.5, redis_state)
    index.refresh()
    assert index.best_match("en", sig(COPY_TEXT)) is None
    (entry,) = store(database_url, TRAINS_TEXT)
    index.add(entry)
    assert index.best_match("en", sig(TRAINS_TEXT)).article_id == entry.article_id
