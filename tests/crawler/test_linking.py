"""Content features, the content score and the pure rules of translation linking."""

from __future__ import annotations

import functools
import gzip
import itertools
import json
from pathlib import Path

import pytest

from crawler.demo.data import Story, load_stories, parse_stories
from crawler.extract.alternates import Alternate
from crawler.extract.article import extract_article
from crawler.extract.encoding import decode_html
from crawler.extract.language import normalize_lang
from crawler.linking.article_linker import common_features, objection_to, sitemap_alternates, url_id
from crawler.linking.evidence import DEFAULT_CONTENT_THRESHOLD, ContentScore, accepts, content_score
from crawler.linking.features import Features, dates, extract_features, fold_digits, links, numbers, title_case
from crawler.urls import canonicalize
from settings import crawl
from storage.grouping import CONTENT, HREFLANG, SWITCHER, URL_PATTERN, choose_links, strength

STORIES = parse_stories(load_stories())


@functools.cache
def features(story: Story, lang: str) -> Features:
    version = story.versions[lang]
    return extract_features(version.title, "\n\n".join(version.paragraphs), description=version.description)


# --- features ---


def test_digits_of_every_script_fold_to_ascii() -> None:
    assert fold_digits("٢٠٢٦ و۱۲ और ४२, ٢٫٥") == "2026 و12 और 42, 2.5"


@pytest.mark.parametrize(
    ("text", "value"),
    [("21 500 единиц", "21500"), ("21,500 units", "21500"), ("21\u00a0500", "21500"), ("45.000 Menschen", "45000"),
     ("1,234,567", "1234567"), ("9,8 млн", "9.8"), ("9.8 million", "9.8"), ("2,50 dollars", "2.5"),
     ("١٢٥٠٠ عداء", "12500"), ("بـ320 مبنى", "320"), ("1,234.5", "1234.5"), ("в 05:12 по", "5:12"),
     ("за 2:07:41", "2:07:41")],
)  # fmt: skip
def test_numbers_are_read_in_one_canonical_form(text: str, value: str) -> None:
    assert value in numbers(fold_digits(text))


def test_scale_words_give_the_full_value_too() -> None:
    assert {"9.8", "9800000"} <= set(numbers("9,8 млн тонн"))
    assert {"25", "25000"} <= set(numbers("25 тысяч саженцев"))
    assert {"34", "34000000000"} <= set(numbers("34 مليار روبل"))


def test_years_and_round_numbers_weigh_less_than_specific_ones() -> None:
    weights = numbers("In 2026, 5 of 50 ships carried 47.8 tonnes, 12 500 boxes")
    assert weights["2026"] == weights["5"] == weights["50"] < weights["47.8"] == weights["12500"]


def test_dates_in_any_language_are_month_and_day() -> None:
    text = fold_digits("4 марта; on March 4; في ١٥ مارس; am 10. Mai; 2026-03-18; 7 آذار")
    assert dates(text) == {"03-04", "03-15", "05-10", "03-18", "03-07"}


def test_links_are_addresses_and_handles() -> None:
    found = links("Report at example.org/altai-quake. Follow @SeismoWatch or mail desk@example.org; 9.8 tonnes")
    assert found == {"example.org/altai-quake", "@seismowatch", "desk@example.org"}


def test_names_are_capitalised_words_inside_sentences() -> None:
    found = extract_features(None, "Spending rose. Runner Ahmed Benali won in Sochi. The Sochi race was close.")
    assert {"bnl", "sc", "md"} <= found.names  # Benali, Sochi, Ahmed
    assert "sbndng" not in found.names  # "Spending" only opens a sentence


def test_a_title_in_title_case_names_nothing_by_its_capitals() -> None:
    body = "President Joe Biden said on Saturday that the storms were deadly. Biden will visit Kentucky."
    found = extract_features("Joe Biden Laments Failure to Stop Global Warming After Deadly Tornados", body)
    assert {"bdn", "kntk"} <= found.names  # Biden, Kentucky: capitalised in the text too
    assert not {"lmnts", "flr", "glbl"} & found.names  # Laments, Failure, Global
    assert title_case("Joe Biden Laments Failure to Stop Global Warming")
    assert not title_case("Joe Biden laments the failure to stop global warming")
    sentence_case = extract_features("Biden laments failure", body)
    assert "bdn" in sentence_case.names


def test_arabic_words_are_kept_with_and_without_their_prefixes() -> None:
    found = extract_features(None, "فاز العداء أحمد بنعلي بماراثون سوتشي")
    assert {"bnl", "mrtn", "sc"} <= found.words  # بنعلي, (ب)ماراثون, سوتشي


def test_features_survive_json() -> None:
    story = STORIES.story(123)
    original = features(story, "ar")
    assert Features.from_json(original.to_json()) == original


# --- content score ---

CROSS_LANGUAGE_PAIRS = [
    (story, a, b)
    for story in STORIES.stories
    for a, b in itertools.combinations(sorted(story.versions), 2)
]  # fmt: skip


def test_every_translation_of_the_demo_stories_reaches_the_threshold() -> None:
    low = [
        (story.id, a, b, score)
        for story, a, b in CROSS_LANGUAGE_PAIRS
        if (score := content_score(features(story, a), features(story, b)).score) < DEFAULT_CONTENT_THRESHOLD
    ]
    assert not low


def test_no_two_different_stories_reach_the_threshold() -> None:
    # Decoys included: same kind of event, near dates, shared figures.
    versions = [(story, lang) for story in STORIES.stories for lang in story.versions]
    high = []
    for (s1, l1), (s2, l2) in itertools.combinations(versions, 2):
        if s1.id != s2.id and l1 != l2:
            score = content_score(features(s1, l1), features(s2, l2)).score
            if score >= DEFAULT_CONTENT_THRESHOLD:
                high.append((s1.id, l1, s2.id, l2, score))
    assert not high


def test_decoys_score_far_below_the_story_they_imitate() -> None:
    for decoy in (s for s in STORIES.stories if s.decoy_of is not None):
        target = STORIES.story(decoy.decoy_of)
        for lang, other in itertools.product(decoy.versions, target.versions):
            if lang != other:
                decoy_score = content_score(features(decoy, lang), features(target, other)).score
                assert decoy_score < DEFAULT_CONTENT_THRESHOLD / 2, (decoy.id, lang, other, decoy_score)


def test_the_score_is_symmetric_and_explains_itself() -> None:
    story = STORIES.story(126)
    ru, ar = features(story, "ru"), features(story, "ar")
    forward, backward = content_score(ru, ar), content_score(ar, ru)
    assert forward == backward
    assert forward.numbers > 5 and forward.names > 2 and 0 < forward.score <= 1


def test_common_features_are_ignored() -> None:
    story = STORIES.story(124)
    ru, en = features(story, "ru"), features(story, "en")
    assert content_score(ru, en, common=frozenset(ru.numbers) | ru.names).score == 0


def test_dates_or_a_single_figure_alone_prove_nothing() -> None:
    a = Features(numbers={"47.8": 1.0}, dates=frozenset({"03-04", "03-05"}))
    b = Features(numbers={"47.8": 1.0}, dates=frozenset({"03-04", "03-05"}))
    assert content_score(a, b).score == 0


def test_below_the_threshold_a_clear_winner_needs_more_than_names() -> None:
    names_only = ContentScore(0.2, numbers=0.0, names=4.7, dates=0, links=0)
    with_figures = ContentScore(0.2, numbers=1.0, names=2.0, dates=0, links=0)
    with_shape = ContentScore(0.2, numbers=0.0, names=2.0, dates=0, links=0, shape=1.2)
    assert not accepts(names_only, 0.05, DEFAULT_CONTENT_THRESHOLD)
    assert accepts(with_figures, 0.05, DEFAULT_CONTENT_THRESHOLD)
    assert accepts(with_shape, 0.05, DEFAULT_CONTENT_THRESHOLD)
    assert not accepts(with_figures, 0.15, DEFAULT_CONTENT_THRESHOLD)  # a rival close behind
    assert accepts(ContentScore(0.3, numbers=0.0, names=6.0, dates=0, links=0), 0.25, DEFAULT_CONTENT_THRESHOLD)


def test_empty_texts_score_zero() -> None:
    assert content_score(extract_features(None, ""), extract_features("", "")).score == 0


def test_features_shared_by_much_of_the_pool_are_common() -> None:
    article = Features(numbers={"2026": 0.25, "47.8": 1.0}, links=frozenset({"@agency"}))
    pool = [Features(numbers={"2026": 0.25}, links=frozenset({"@agency"})) for _ in range(4)]
    pool.append(Features(numbers={"47.8": 1.0}))
    assert common_features(article, pool) == {"2026", "@agency"}


# --- groups ---


def test_declared_evidence_outranks_any_content_score() -> None:
    assert strength(HREFLANG, 1.0) > strength(SWITCHER, 0.9) > strength(URL_PATTERN, 0.8) > strength(CONTENT, 0.99)
    assert strength(CONTENT, 0.6) > strength(CONTENT, 0.5)


def test_choose_links_keeps_one_article_per_language_strongest_first() -> None:
    langs = {1: "ru", 2: "en", 3: "en", 4: "ar"}
    links = [(1, 2, CONTENT, 0.4), (3, 4, HREFLANG, 1.0), (1, 3, CONTENT, 0.7), (2, 4, CONTENT, 0.3)]
    kept, labels = choose_links(langs, links)
    assert kept == [1, 2]  # ru-en2 (0.7) beats ru-en1 (0.4); en1 then cannot join through ar
    assert labels[1] == labels[3] == labels[4] != labels[2]


def test_choose_links_keeps_the_older_link_on_a_tie() -> None:
    kept, _ = choose_links({1: "ru", 2: "en", 3: "en"}, [(1, 2, HREFLANG, 1.0), (1, 3, HREFLANG, 1.0)])
    assert kept == [0]


# --- declared evidence ---


def test_the_link_step_acts_on_exactly_the_hreflang_alternates_real_pages_list(realworld: Path) -> None:
    # What the pipeline extracts (the extract step) and the link step accepts as declared targets:
    # every listed alternate but the page itself and, in its own language, its regional variants.
    listed = json.loads((realworld / "hreflang_alternates.json").read_text(encoding="utf-8"))
    records = {
        record["file"]: record
        for path in sorted(realworld.glob("*/groundtruth.json"))
        for record in json.loads(path.read_text(encoding="utf-8"))
    }
    assert len(listed) >= 10
    for entry in listed:
        url, lang = records[entry["file"]]["url"], records[entry["file"]]["lang"]
        html, _ = decode_html(gzip.decompress((realworld / entry["file"]).read_bytes()), None)
        declared = extract_article(html, url).alternate_links
        acted_on = {(a.lang, a.url) for a in declared if a.method == HREFLANG and objection_to(a, lang) is None}
        expected = {
            (code, canonicalize(alternate["href"]))
            for alternate in entry["alternates"]
            if (code := normalize_lang(alternate["hreflang"])) not in (None, lang)
        }
        assert expected and acted_on == expected, entry["file"]


def test_declared_targets_in_the_page_language_or_on_fronts_are_objected_to() -> None:
    assert objection_to(Alternate("en", "https://x.example/en/news/1-a", HREFLANG), "en") == "own_language"
    assert objection_to(Alternate("ru", "https://x.example/ru/", HREFLANG), "en") == "front_page"
    assert objection_to(Alternate("ru", "https://x.example/ru/news/1-a", SWITCHER), "en") is None


def test_sitemap_alternates_come_from_the_hints() -> None:
    hints = {"alternates": [["ru-RU", "https://x.example/ru/1?utm_source=a"], ["x-default", "https://x.example/"],
                            ["ar", "javascript:void(0)"], "junk", ["en", "https://x.example/en/1"]]}  # fmt: skip
    assert sitemap_alternates(hints) == [
        Alternate("ru", "https://x.example/ru/1", HREFLANG),
        Alternate("en", "https://x.example/en/1", HREFLANG),
    ]
    assert sitemap_alternates({}) == []


def test_url_id_reads_the_declared_pattern() -> None:
    assert url_id(r"/news/(\d+)-", "https://x.example/ru/news/117-port") == "117"
    assert url_id(r"/news/(\d+)-", "https://x.example/ru/about") is None
    assert url_id(None, "https://x.example/ru/news/117-port") is None


def test_settings_use_the_documented_threshold() -> None:
    assert crawl.NEWSAGG_CONTENT_LINK_THRESHOLD == DEFAULT_CONTENT_THRESHOLD
