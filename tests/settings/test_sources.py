"""Source files are a user contract: valid ones load, bad ones are refused with file, field and expectation."""

from datetime import timedelta
from pathlib import Path

import pytest

from settings.sources import SourceConfigError, load_sources

VALID = """
key: example
name: Example News
timezone: Europe/Moscow
schedule: "*/15 * * * *"
editions:
  - lang: ru
    domains: [example.ru]
    feeds: [https://example.ru/rss.xml]
    article_urls: ['^https://example\\.ru/news/\\d+$']
  - lang: en
    domains: [example.com]
    sitemaps: [https://example.com/sitemap.xml]
translations:
  url_id: '/(\\d+)$'
"""


def write(tmp_path: Path, text: str, name: str = "example.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sources_load_and_include_tass():
    registry = load_sources()
    tass = registry["tass"]
    assert tass.timezone == "Europe/Moscow"
    assert {e.lang for e in tass.editions} == {"ru", "en"}
    assert tass.edition_for_url("https://tass.ru/politika/12345678").lang == "ru"
    assert tass.edition_for_url("https://tass.com/world/1234567").lang == "en"
    assert tass.edition_for_url("https://tass.com/") is None


def test_the_design_example_is_accepted(tmp_path):
    source = load_sources([write(tmp_path, VALID)], include_shipped=False)["example"]
    assert source.edition("ru").is_article_url("https://example.ru/news/42")
    assert not source.edition("ru").is_article_url("https://other.ru/news/42")
    # Without patterns, any page in the edition's domains (and subdomains) is a candidate.
    assert source.edition("en").is_article_url("https://www.example.com/anything")
    assert source.translations.url_id == "/(\\d+)$"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("lang: ru", "lang: xx"),
            "editions.0.lang: expected an ISO 639-1 language code such as ru, en or ar, got 'xx'",
        ),
        (("timezone: Europe/Moscow", "timezone: Mars/Olympus"), "timezone: expected an IANA time zone"),
        (('schedule: "*/15 * * * *"', 'schedule: "every hour"'), "schedule: expected a cron expression"),
        (
            ("feeds: [https://example.ru/rss.xml]", "feeds: [example.ru/rss.xml]"),
            "editions.0.feeds.0: expected an absolute http(s) URL",
        ),
        (("key: example", "key: Bad Key"), "key: expected a key of lower-case letters"),
        (("name: Example News\n", ""), "name: required field is missing"),
        (("    domains: [example.com]", "    domain: [example.com]"), "editions.1.domain: unknown key"),
        (
            ("'^https://example\\.ru/news/\\d+$'", "'(unclosed'"),
            "editions.0.article_urls.0: expected a valid regular expression",
        ),
        (
            ("url_id: '/(\\d+)$'", "url_id: '/\\d+$'"),
            "translations.url_id: expected a regular expression with exactly one capturing group",
        ),
        (("lang: en", "lang: ru"), "editions: expected one edition per language, got several for ru"),
        (("timezone: Europe/Moscow", "max_age: soon"), "max_age: expected an age such as 2d, 36h, 90m or P2D"),
        (("timezone: Europe/Moscow", "max_age: 0h"), "max_age: expected a positive age"),
    ],
)
def test_a_bad_file_names_file_field_and_expectation(tmp_path, change, message):
    old, new = change
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(SourceConfigError) as error:
        load_sources([path], include_shipped=False)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("written", "age"),
    [
        (None, timedelta(days=2)),
        ("36h", timedelta(hours=36)),
        ("90m", timedelta(minutes=90)),
        ("P3D", timedelta(days=3)),
    ],
)
def test_max_age_reads_as_operators_write_it(tmp_path, written, age):
    text = VALID if written is None else VALID.replace("timezone: Europe/Moscow", f"max_age: {written}")
    assert load_sources([write(tmp_path, text)], include_shipped=False)["example"].max_age == age


def test_broken_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "key: a\nname: [unclosed\n")
    with pytest.raises(SourceConfigError, match=rf"{path}: not valid YAML at line \d+"):
        load_sources([path], include_shipped=False)


def test_duplicate_keys_are_refused(tmp_path):
    first = write(tmp_path, VALID, "a.yaml")
    second = write(tmp_path, VALID, "b.yaml")
    with pytest.raises(SourceConfigError, match=r"b\.yaml: key: source 'example' is already defined in .*a\.yaml"):
        load_sources([first, second], include_shipped=False)


def test_a_file_may_hold_a_list_of_sources_and_a_folder_many_files(tmp_path):
    other = VALID.replace("key: example", "key: other")
    write(tmp_path, "- " + VALID.strip().replace("\n", "\n  ") + "\n", "list.yaml")
    write(tmp_path, other, "other.yml")
    assert set(load_sources([tmp_path], include_shipped=False)) == {"example", "other"}


def test_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(SourceConfigError, match="no such source file"):
        load_sources([tmp_path / "nope.yaml"], include_shipped=False)


def test_health_rules_have_defaults_and_an_edition_can_override_some(tmp_path):
    text = VALID.replace(
        'schedule: "*/15 * * * *"\n',
        'schedule: "*/15 * * * *"\nhealth:\n  max_error_rate: 0.5\n  required_fields: [title]\n',
    ).replace(
        "    sitemaps: [https://example.com/sitemap.xml]\n",
        "    sitemaps: [https://example.com/sitemap.xml]\n    schedule: '0 * * * *'\n    health: {min_items: 0}\n",
    )
    source = load_sources([write(tmp_path, text)], include_shipped=False)["example"]
    assert source.health.max_error_rate == 0.5 and source.health.required_fields == ["title"]
    assert source.health.min_items == 1 and source.health.baseline_runs == 5  # defaults
    alone = source.health_for(["en"])  # the edition's keys over the source's
    assert (alone.min_items, alone.max_error_rate, alone.required_fields) == (0, 0.5, ["title"])
    assert source.health_for(["ru"]) == source.health_for([]) == source.health
    assert load_sources()["tass"].health.required_fields == ["title", "published_at"]


@pytest.mark.parametrize(
    ("health", "message"),
    [
        ("{max_error_rate: 2}", "health.max_error_rate: Input should be less than or equal to 1 (got 2)"),
        ("{min_items: -1}", "health.min_items: Input should be greater than or equal to 0 (got -1)"),
        ("{required_fields: [titel]}", "health.required_fields: expected fields among title, published_at"),
        ("{min_item: 1}", "health.min_item: unknown key"),
    ],
)
def test_bad_health_rules_are_refused_with_the_field(tmp_path, health, message):
    path = write(tmp_path, VALID.replace("translations:", f"health: {health}\ntranslations:"))
    with pytest.raises(SourceConfigError) as error:
        load_sources([path], include_shipped=False)
    assert str(error.value).startswith(f"{path}: {message}")
