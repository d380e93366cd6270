"""Translation groups: connected components of links, at most one article per language."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from storage import groups
from storage.db import session_scope
from storage.models import Article, PendingLink, SourceRow, TranslationGroup, TranslationLink


def make_articles(session, *langs):
    source = SourceRow(key="s", name="S")
    session.add(source)
    session.flush()
    articles = []
    for index, lang in enumerate(langs):
        article = Article(
            source_id=source.id,
            canonical_url=f"https://example.org/{lang}/{index}",
            lang=lang,
            lang_confidence=1.0,
            body=f"text {index}",
            content_hash=f"hash{index}",
            published_at=datetime(2026, 3, 1, tzinfo=UTC),
        )
        session.add(article)
        articles.append(article)
    session.flush()
    return articles


def test_links_merge_into_one_group_per_story(database_url):
    with session_scope(database_url) as session:
        ru, en, ar = make_articles(session, "ru", "en", "ar")
        assert groups.link(session, ru, en, "hreflang", 1.0).linked
        assert groups.link(session, ar, en, "switcher", 0.9).linked
        assert len({ru.group_id, en.group_id, ar.group_id}) == 1
        assert ru.group_id is not None
        assert groups.group_count(session) == 1
        assert session.scalar(select(func.count()).select_from(TranslationLink)) == 2


def test_two_groups_merge_and_the_emptied_group_is_removed(database_url):
    with session_scope(database_url) as session:
        ru, en, ar, fr = make_articles(session, "ru", "en", "ar", "fr")
        groups.link(session, ru, en, "hreflang", 1.0)
        groups.link(session, ar, fr, "hreflang", 1.0)
        assert session.scalar(select(func.count()).select_from(TranslationGroup)) == 2
        assert groups.link(session, en, ar, "hreflang", 1.0).linked
        assert len({a.group_id for a in (ru, en, ar, fr)}) == 1
        assert session.scalar(select(func.count()).select_from(TranslationGroup)) == 1


def test_a_group_never_holds_two_articles_of_one_language(database_url):
    with session_scope(database_url) as session:
        ru, en, ru2 = make_articles(session, "ru", "en", "ru")
        groups.link(session, ru, en, "hreflang", 1.0)
        result = groups.link(session, ru2, en, "switcher", 0.9)
        assert (result.linked, result.reason) == (False, "conflict")
        assert ru2.group_id is None
        assert groups.link(session, ru, ru2, "hreflang", 1.0).reason == "same_language"


def test_linking_again_stores_no_second_link(database_url):
    with session_scope(database_url) as session:
        ru, en = make_articles(session, "ru", "en")
        groups.link(session, ru, en, "switcher", 0.9)
        again = groups.link(session, en, ru, "hreflang", 1.0)
        assert again.reason == "known"
        link = session.scalars(select(TranslationLink)).one()
        assert (link.method, link.score) == ("hreflang", 1.0)


def test_pending_links_are_found_by_target_url(database_url):
    with session_scope(database_url) as session:
        (ru,) = make_articles(session, "ru")
        groups.add_pending(session, ru, "https://example.org/en/later", "en", "hreflang")
        groups.add_pending(session, ru, "https://example.org/en/later", "en", "hreflang")
        assert session.scalar(select(func.count()).select_from(PendingLink)) == 1
        (pending,) = groups.pending_for(session, ["https://example.org/en/later"])
        assert pending.article_id == ru.id
        groups.resolve(session, pending)
        session.flush()
        assert groups.pending_for(session, ["https://example.org/en/later"]) == []
