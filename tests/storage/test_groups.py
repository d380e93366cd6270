"""Translation groups: connected components of links, at most one article per language, the
stronger evidence winning a conflict; and the bounded candidate queries of content linking."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from crawler.linking.features import FEATURES_VERSION, Features
from storage import candidates, groups
from storage.grouping import strength
from storage.models import Article, PendingLink, RejectedLink, SourceRow, TranslationGroup, TranslationLink


def make_articles(session, *langs, key="s", published=None):
    source = session.scalar(select(SourceRow).where(SourceRow.key == key))
    if source is None:
        source = SourceRow(key=key, name=key.upper())
        session.add(source)
        session.flush()
    start = session.scalar(select(func.count()).select_from(Article)) or 0
    articles = []
    for index, lang in enumerate(langs, start=start):
        article = Article(
            source_id=source.id,
            canonical_url=f"https://example.org/{lang}/{index}",
            lang=lang,
            lang_confidence=1.0,
            body=f"text {index}",
            content_hash=f"hash{index}",
            published_at=published[index - start] if published else datetime(2026, 3, 1, tzinfo=UTC),
        )
        session.add(article)
        articles.append(article)
    session.flush()
    return articles


def test_links_merge_into_one_group_per_story(db):
    with db.session() as session:
        ru, en, ar = make_articles(session, "ru", "en", "ar")
        assert groups.link(session, ru, en, "hreflang", 1.0).linked
        assert groups.link(session, ar, en, "switcher", 0.9).linked
        assert len({ru.group_id, en.group_id, ar.group_id}) == 1
        assert ru.group_id is not None
        assert groups.group_count(session) == 1
        assert session.scalar(select(func.count()).select_from(TranslationLink)) == 2


def test_two_groups_merge_and_the_emptied_group_points_to_the_merged_one(db):
    with db.session() as session:
        ru, en, ar, fr, de = make_articles(session, "ru", "en", "ar", "fr", "de")
        groups.link(session, ru, en, "hreflang", 1.0)
        groups.link(session, ar, fr, "hreflang", 1.0)
        groups.link(session, fr, de, "hreflang", 1.0)
        small, large = ru.group_id, ar.group_id
        assert groups.link(session, en, ar, "hreflang", 1.0).linked
        # The larger group keeps its id; the other is kept, pointing to it.
        assert {a.group_id for a in (ru, en, ar, fr, de)} == {large}
        assert session.get_one(TranslationGroup, small).merged_into_id == large
        assert session.get_one(TranslationGroup, large).merged_into_id is None
        assert groups.group_count(session) == 1


def test_a_split_leaves_the_id_with_the_larger_part_and_the_new_part_says_where_it_came_from(db):
    with db.session() as session:
        ru, en, ar, fr, de = make_articles(session, "ru", "en", "ar", "fr", "de")
        groups.link(session, ru, en, "content", 0.5)
        groups.link(session, en, ar, "content", 0.3)
        groups.link(session, ar, fr, "content", 0.5)
        groups.link(session, fr, de, "content", 0.5)
        story = ru.group_id
        weak = session.scalars(select(TranslationLink).where(TranslationLink.score == 0.3)).one()
        groups.drop_link(session, weak, "below_threshold")
        assert {a.group_id for a in (ar, fr, de)} == {story}
        assert ru.group_id == en.group_id != story
        assert session.get_one(TranslationGroup, ru.group_id).split_from_id == story
        # Linked again: the parts merge back under the id the larger part kept.
        groups.link(session, en, ar, "content", 0.3)
        assert {a.group_id for a in (ru, en, ar, fr, de)} == {story}


def test_a_group_never_holds_two_articles_of_one_language(db):
    with db.session() as session:
        ru, en, ru2 = make_articles(session, "ru", "en", "ru")
        groups.link(session, ru, en, "hreflang", 1.0)
        result = groups.link(session, ru2, en, "switcher", 0.9)
        assert (result.linked, result.reason) == (False, "conflict")
        assert ru2.group_id is None
        assert groups.link(session, ru, ru2, "hreflang", 1.0).reason == "same_language"


def test_linking_again_stores_no_second_link(db):
    with db.session() as session:
        ru, en = make_articles(session, "ru", "en")
        groups.link(session, ru, en, "switcher", 0.9)
        again = groups.link(session, en, ru, "hreflang", 1.0)
        assert again.reason == "known"
        link = session.scalars(select(TranslationLink)).one()
        assert (link.method, link.score) == ("hreflang", 1.0)


def test_pending_links_are_found_by_target_url(db):
    with db.session() as session:
        (ru,) = make_articles(session, "ru")
        later = ("https://example.org/en/later", "en", "hreflang")
        assert groups.add_pending(session, ru, [later, later]) == [True, False]
        assert groups.add_pending(session, ru, [later]) == [False]
        assert session.scalar(select(func.count()).select_from(PendingLink)) == 1
        (pending,) = groups.pending_for(session, ["https://example.org/en/later"])
        assert pending.article_id == ru.id
        groups.resolve(session, pending)
        session.flush()
        assert groups.pending_for(session, ["https://example.org/en/later"]) == []


def rejected(session):
    rows = session.scalars(select(RejectedLink).order_by(RejectedLink.id))
    return [(r.article_id, r.other_article_id, r.method, r.reason) for r in rows]


def test_a_conflict_keeps_the_stronger_evidence_and_records_the_weaker(db):
    with db.session() as session:
        ru, en, en2 = make_articles(session, "ru", "en", "en")
        assert groups.link(session, ru, en, "content", 0.4).linked
        # Declared evidence for another English version displaces the content guess.
        result = groups.link(session, ru, en2, "hreflang", 1.0)
        assert result.linked and result.displaced == [(ru.id, en.id)]
        assert ru.group_id == en2.group_id is not None and en.group_id is None
        assert rejected(session) == [(ru.id, en.id, "content", "conflict")]
        # A weaker claim on the taken slot is turned down and recorded.
        assert groups.link(session, en, ru, "switcher", 0.9).reason == "conflict"
        assert (ru.id, en.id, "switcher", "conflict") in rejected(session)
        assert session.scalar(select(func.count()).select_from(TranslationLink)) == 1


def test_a_stronger_content_match_displaces_a_weaker_one(db):
    with db.session() as session:
        ru, en, ar, en2 = make_articles(session, "ru", "en", "ar", "en")
        groups.link(session, ru, en, "content", 0.3)
        groups.link(session, ar, ru, "hreflang", 1.0)
        assert groups.link(session, en2, ar, "content", 0.8).linked
        assert {ru.group_id, ar.group_id, en2.group_id} == {ru.group_id} and en.group_id is None
        assert groups.group_count(session) == 1


def test_holders_are_the_articles_that_already_have_a_version_in_a_language(db):
    with db.session() as session:
        ru, en, ar, lone = make_articles(session, "ru", "en", "ar", "en")
        groups.link(session, ru, en, "content", 0.4)
        groups.link(session, en, ar, "hreflang", 1.0)
        held = groups.holders(session, [ru.id, en.id, ar.id, lone.id], "ar")
        # en holds ar by its declared link; ru only through en; ar is the version itself.
        assert held == {en.id: strength("hreflang", 1.0), ru.id: None}
        assert groups.holders(session, [ar.id, lone.id], "ru") == {ar.id: None}
        assert groups.holders(session, [ar.id], "en")[ar.id] == strength("hreflang", 1.0)
        assert groups.holders(session, [], "en") == {}


def test_dropping_a_link_splits_its_group(db):
    with db.session() as session:
        ru, en, ar = make_articles(session, "ru", "en", "ar")
        groups.link(session, ru, en, "hreflang", 1.0)
        groups.link(session, en, ar, "content", 0.5)
        (weak,) = groups.links_of(session, [ar.id], method="content")
        groups.drop_link(session, weak, "below_threshold", "content score 0.100")
        assert ru.group_id == en.group_id is not None and ar.group_id is None
        assert rejected(session) == [(en.id, ar.id, "content", "below_threshold")]
        assert groups.group_count(session) == 1
        assert session.scalar(select(func.count()).select_from(TranslationGroup)) == 1


def test_rejections_are_recorded_once_per_pair_and_method(db):
    with db.session() as session:
        ru, en = make_articles(session, "ru", "en")
        groups.reject(session, en.id, ru.id, "url_pattern", 0.0, "far_apart", "40 days")
        groups.reject(session, ru.id, en.id, "url_pattern", 0.0, "far_apart", "41 days")
        (row,) = session.scalars(select(RejectedLink))
        assert (row.article_id, row.other_article_id, row.detail) == (ru.id, en.id, "41 days")
        # Accepting the pair later clears what was said against it.
        assert groups.link(session, ru, en, "hreflang", 1.0).linked
        assert rejected(session) == []


def test_content_candidates_come_from_one_source_a_window_and_other_languages(db):
    day = datetime(2026, 3, 10, 12, tzinfo=UTC)
    times = [day, day + timedelta(hours=3), day - timedelta(hours=20), day + timedelta(hours=30), day]
    with db.session() as session:
        ru, en_near, ar_before, en_far, ru_same = make_articles(session, "ru", "en", "ar", "en", "ru", published=times)
        (en_other_source,) = make_articles(session, "en", key="other", published=[day])
        for article in (ru, en_near, ar_before, en_far, ru_same, en_other_source):
            candidates.save_features(
                session, article, Features(numbers={"47.8": 1.0}).to_json(), None, FEATURES_VERSION
            )
        found = candidates.content_candidates(session, ru, window=timedelta(hours=24), limit=10)
        assert [c.article_id for c in found] == [ar_before.id, en_near.id]
        only_en = candidates.content_candidates(session, ru, window=timedelta(hours=24), limit=10, lang="en")
        assert [c.article_id for c in only_en] == [en_near.id]
        closest = candidates.content_candidates(session, ru, window=timedelta(hours=48), limit=2)
        assert [c.article_id for c in closest] == [ar_before.id, en_near.id]
        assert Features.from_json(found[0].features).numbers == {"47.8": 1.0}


def test_articles_sharing_a_url_id_are_found_within_their_source(db):
    with db.session() as session:
        ru, en, ar = make_articles(session, "ru", "en", "ar")
        (other,) = make_articles(session, "en", key="other")
        for article, article_id in ((ru, "117"), (en, "117"), (ar, "118"), (other, "117")):
            candidates.save_features(session, article, Features().to_json(), article_id, FEATURES_VERSION)
        assert candidates.same_url_id(session, ru, "117") == [en]


def test_saved_features_report_whether_linking_must_run_again(db):
    with db.session() as session:
        (ru,) = make_articles(session, "ru")
        row, changed = candidates.save_features(session, ru, Features().to_json(), "1", FEATURES_VERSION)
        assert changed and candidates.is_current(row, ru, FEATURES_VERSION)
        assert candidates.save_features(session, ru, None, "1", FEATURES_VERSION)[1] is False
        assert candidates.save_features(session, ru, None, "2", FEATURES_VERSION)[1] is True
        ru.content_hash = "changed"
        assert not candidates.is_current(row, ru, FEATURES_VERSION)
