"""Article fields from small hand-written pages: order of trust, drops, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import trafilatura

from crawler.extract.alternates import HREFLANG, Alternate
from crawler.extract.article import extract_article
from crawler.extract.body import MIN_ARTICLE_CHARS
from crawler.extract.encoding import decode_html

URL = "https://news.example/en/news/101-ferry-returns"
PARAGRAPHS = (
    "The passenger ferry Marta Solberg returned to the Kestrel Bay crossing on Saturday morning, 19 days after "
    "a cracked hull plate forced the port authority to withdraw it from service.",
    "Harbour master Ilse Varga said the repair at the Dunmere dry dock cost 1.4 million euros, about 300,000 "
    "more than the yard's first estimate, because inspectors found corrosion on two neighbouring plates.",
    "During the closure, islanders relied on a smaller replacement boat that carried only 60 passengers and no "
    "vehicles. The operator says the full timetable of 14 daily crossings will resume on Monday.",
)
TITLE = "Kestrel Bay ferry returns to service after hull repair"


def article(
    head: str = "",
    header: str = "",
    paragraphs: tuple[str, ...] = PARAGRAPHS,
    *,
    lang: str = "en",
    og_type: str = "article",
    before: str = "",
) -> str:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{TITLE} — Demo Meridian</title>"
        f'<meta property="og:site_name" content="Demo Meridian">'
        f'<meta property="og:type" content="{og_type}">{head}</head><body>'
        f'<header class="site-header"><a class="logo" href="/">Demo Meridian</a>{before}</header>'
        f"<main><article><header><h1>{TITLE}</h1>{header}</header>"
        f'<div class="article-body">{body}</div></article></main>'
        "<footer><p>© Demo Meridian. All rights reserved.</p></footer></body></html>"
    )


def jsonld(**fields: str) -> str:
    items = "".join(f', "{key}": "{value}"' for key, value in fields.items())
    data = f'{{"@context": "https://schema.org", "@type": "NewsArticle"{items}}}'
    return f'<script type="application/ld+json">{data}</script>'


def test_a_complete_article() -> None:
    head = "".join(
        (
            f'<link rel="canonical" href="{URL}?utm_source=rss">',
            '<link rel="amphtml" href="/en/news/101-ferry-returns/amp">',
            '<link rel="alternate" hreflang="ru" href="/ru/news/101-parom">',
            '<meta name="description" content="The Marta Solberg is back.">',
            '<meta name="author" content="Tomas Ravel">',
            '<meta property="article:tag" content="ferries"><meta property="article:tag" content="Kestrel Bay">',
            '<meta property="article:published_time" content="2026-03-14T09:15:00+03:00">',
            '<meta property="article:modified_time" content="2026-03-14T10:00:00+03:00">',
        )
    )
    extracted = extract_article(article(head), URL + "?utm_source=rss")
    assert extracted.url == URL + "?utm_source=rss"
    assert extracted.canonical_url == URL
    assert extracted.title == TITLE
    assert extracted.body == "\n\n".join(PARAGRAPHS)
    assert extracted.declared_lang == "en"
    assert extracted.published_at == datetime(2026, 3, 14, 6, 15, tzinfo=UTC)
    assert extracted.modified_at == datetime(2026, 3, 14, 7, 0, tzinfo=UTC)
    assert extracted.authors == ["Tomas Ravel"]
    assert extracted.description == "The Marta Solberg is back."
    assert extracted.tags == ["ferries", "Kestrel Bay"]
    assert extracted.amp_url == URL + "/amp"
    assert extracted.alternates == {"ru": "https://news.example/ru/news/101-parom"}
    assert extracted.alternate_links == [Alternate("ru", "https://news.example/ru/news/101-parom", HREFLANG)]
    assert (extracted.is_article, extracted.drop_reason) == (True, None)


def test_json_ld_supplies_headline_author_and_dates() -> None:
    head = jsonld(headline=TITLE, datePublished="2026-03-14T09:15:00+03:00", inLanguage="en-GB")
    head = head.replace('"inLanguage"', '"author": [{"@type": "Person", "name": "Ilse Varga"}], "inLanguage"')
    extracted = extract_article(article(head, lang=""), URL)
    assert extracted.authors == ["Ilse Varga"]
    assert extracted.declared_lang == "en"
    assert extracted.published_at == datetime(2026, 3, 14, 6, 15, tzinfo=UTC)


LD = jsonld(datePublished="2026-03-10T10:00:00+00:00")
META = '<meta property="article:published_time" content="2026-03-11T10:00:00+00:00">'
TIME = '<time datetime="2026-03-12T10:00:00+00:00">12 March</time>'
VISIBLE = '<p class="date">13 March 2026, 10:00</p>'
HINT = "Sat, 14 Mar 2026 10:00:00 +0000"


@pytest.mark.parametrize(
    ("head", "header", "hint", "day"),
    [(LD, "", None, 10), (META, "", None, 11), ("", TIME, None, 12), ("", VISIBLE, None, 13), ("", "", HINT, 14)],
)
def test_a_single_source_of_the_date_is_believed(head: str, header: str, hint: str | None, day: int) -> None:
    hints = {"published": hint} if hint else {}
    extracted = extract_article(article(head, header), URL, hints=hints)
    assert extracted.published_at == datetime(2026, 3, day, 10, 0, tzinfo=UTC)


def test_the_day_the_sources_corroborate_beats_a_lone_json_ld() -> None:
    # The JSON-LD was rewritten at republication; the dateline, the <time> and the URL agree.
    header = '<time datetime="2026-03-13T10:00:00+01:00">13 March 2026</time>'
    extracted = extract_article(article(LD, header), "https://news.example/2026/03/13/ferry-returns")
    assert extracted.published_local == "2026-03-13T10:00:00+01:00"
    assert extracted.published_at == datetime(2026, 3, 13, 9, 0, tzinfo=UTC)


def test_agreeing_metadata_beats_a_lone_visible_label() -> None:
    extracted = extract_article(article(jsonld(datePublished="2026-03-11T10:00:00+00:00") + META, VISIBLE), URL)
    assert extracted.published_at == datetime(2026, 3, 11, 10, 0, tzinfo=UTC)


def test_dates_of_comments_and_related_articles_never_count() -> None:
    asides = (
        '<section class="comments"><p class="comment-date">15 March 2026, 09:00</p>'
        '<time datetime="2026-03-15T09:00:00+00:00">15 March</time></section>'
        '<aside><ul><li><span class="date">14 March 2026</span> Another story</li></ul></aside>'
        '<div class="related-posts"><time datetime="2026-03-14T08:00:00+00:00">14 March</time></div>'
    )
    page = article(header='<p class="date">12 March 2026, 10:00</p>').replace("</article>", asides + "</article>")
    assert extract_article(page, URL).published_at == datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
    structured = article(jsonld(datePublished="2026-03-12T10:00:00+01:00")).replace("</article>", asides + "</article>")
    assert extract_article(structured, URL).published_local == "2026-03-12T10:00:00+01:00"


def test_the_page_own_day_is_kept_beside_utc() -> None:
    head = '<meta property="article:published_time" content="2020-11-27T00:00:00+08:00">'
    extracted = extract_article(article(head), URL)
    assert extracted.published_at == datetime(2020, 11, 26, 16, 0, tzinfo=UTC)
    assert extracted.published_local == "2020-11-27T00:00:00+08:00"


def test_a_utc_instant_tells_the_moment_and_the_dateline_the_day() -> None:
    head = '<meta property="article:published_time" content="2020-11-26T16:00:00Z">'
    extracted = extract_article(article(head, '<p class="date">27 November 2020</p>'), URL)
    assert extracted.published_at == datetime(2020, 11, 26, 16, 0, tzinfo=UTC)
    assert extracted.published_local == "2020-11-27"


def test_a_german_dateline_keeps_its_day() -> None:
    extracted = extract_article(article(header='<p class="meta">Veröffentlicht am: 6. August 2009</p>'), URL)
    assert extracted.published_local == "2009-08-06T00:00:00"


def test_naive_dates_are_read_in_the_source_timezone() -> None:
    head = '<meta property="article:published_time" content="2026-03-14T09:15:00">'
    extracted = extract_article(article(head), URL, timezone="Europe/Moscow")
    assert extracted.published_at == datetime(2026, 3, 14, 6, 15, tzinfo=UTC)
    assert extracted.published_local == "2026-03-14T09:15:00"


@pytest.mark.parametrize(
    ("label", "lang"),
    [
        ("12 марта 2026 г., 14:30", "ru"),
        ("١٢ مارس ٢٠٢٦، ١٤:٣٠", "ar"),
        ("١٢ آذار ٢٠٢٦، ١٤:٣٠", "ar"),
        ("Опубликовано 12.03.2026 14:30", "ru"),
    ],
)
def test_visible_ru_and_ar_dates(label: str, lang: str) -> None:
    html = article(header=f'<p class="date">{label}</p>', lang=lang)
    extracted = extract_article(html, URL, timezone="Europe/Moscow")
    assert extracted.published_at == datetime(2026, 3, 12, 11, 30, tzinfo=UTC)


def test_a_date_widget_above_the_article_loses_to_the_dateline() -> None:
    html = article(
        header='<p class="date">12 марта 2026 г., 14:30</p>', before='<div class="today-date">15.03.2026</div>'
    )
    extracted = extract_article(html, URL, timezone="Europe/Moscow")
    assert extracted.published_at == datetime(2026, 3, 12, 11, 30, tzinfo=UTC)


def test_title_drops_the_site_name_and_ignores_a_logo_h1() -> None:
    html = article().replace('<a class="logo" href="/">Demo Meridian</a>', "<h1>Demo Meridian</h1>")
    html = html.replace(f"<h1>{TITLE}</h1>", "<h2>A standfirst</h2>")
    assert extract_article(html, URL).title == TITLE


def test_title_takes_the_feed_form_when_the_page_offers_it() -> None:
    head = '<meta property="og:title" content="Ferry back in service">'
    assert (
        extract_article(article(head), URL, hints={"title": "Ferry back in service"}).title == "Ferry back in service"
    )
    assert extract_article(article(head), URL, hints={"title": TITLE}).title == TITLE
    # A truncated feed title does not replace the page's.
    assert extract_article(article(head), URL, hints={"title": "Kestrel Bay ferry…"}).title == TITLE


def test_an_amp_page_resolves_to_its_canonical() -> None:
    amp = URL + "/amp"
    html = article(f'<link rel="canonical" href="{URL}">').replace("<html", "<html amp")
    assert extract_article(html, amp).canonical_url == URL
    assert extract_article(article(), amp).canonical_url == URL


def test_a_canonical_pointing_at_the_home_page_is_ignored() -> None:
    html = article('<link rel="canonical" href="https://news.example/">')
    assert extract_article(html, URL + "?utm_medium=feed").canonical_url == URL


def test_a_link_list_is_not_an_article() -> None:
    items = "".join(
        f'<li><a href="/en/news/{n}-story">Headline number {n} of the day in the live list</a></li>' for n in range(30)
    )
    html = article(paragraphs=("Updated through the day.",), og_type="website").replace(
        "</div></article>", f'</div><ul class="live-links">{items}</ul></article>'
    )
    extracted = extract_article(html, URL)
    assert (extracted.is_article, extracted.drop_reason) == (False, "not_article")


def test_an_article_by_its_json_ld_is_never_a_link_list() -> None:
    # A round-up whose paragraphs are links to the stories it sums up: its JSON-LD says it is an article.
    items = "".join(
        f'<p><a href="/en/news/{n}-story">Ministers of the region meet again for round number {n} of talks</a></p>'
        for n in range(12)
    )
    html = article(jsonld(headline=TITLE), paragraphs=()).replace("</div></article>", f"{items}</div></article>")
    extracted = extract_article(html, URL)
    assert extracted.body and (extracted.is_article, extracted.drop_reason) == (True, None)
    website = html.replace('"@type": "NewsArticle"', '"@type": "WebPage"').replace(
        'content="article"', 'content="website"'
    )
    assert extract_article(website, URL).drop_reason == "not_article"


def test_one_trafilatura_pass_reads_the_parsed_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = trafilatura.bare_extraction

    def counted(source: object, **options: object) -> object:
        calls.append(source)
        return real(source, **options)

    monkeypatch.setattr(trafilatura, "bare_extraction", counted)
    extracted = extract_article(article(), URL)
    assert extracted.body == "\n\n".join(PARAGRAPHS)
    assert len(calls) == 1 and not isinstance(calls[0], str)


def test_control_characters_do_not_cost_the_body() -> None:
    # lxml will not build trafilatura's output tree from text holding them.
    extracted = extract_article(article(paragraphs=(PARAGRAPHS[0].replace(" ", " \x0b", 1), *PARAGRAPHS[1:])), URL)
    assert extracted.body == "\n\n".join(PARAGRAPHS)


def test_an_article_without_text_is_an_empty_body() -> None:
    html = article(paragraphs=()).replace(
        '<div class="article-body">', '<div class="article-body"><figure><img src="/a.jpg"></figure>'
    )
    extracted = extract_article(html, URL)
    assert (extracted.is_article, extracted.body, extracted.drop_reason) == (True, "", "empty_body")


def test_long_prose_is_an_article_without_metadata_and_a_teaser_is_not() -> None:
    assert len("".join(PARAGRAPHS)) >= MIN_ARTICLE_CHARS
    assert extract_article(article(og_type="website"), URL).is_article
    teaser = extract_article(article(paragraphs=PARAGRAPHS[:1], og_type="website"), URL)
    assert (teaser.is_article, teaser.drop_reason) == (False, "not_article")


def test_the_same_page_twice_keeps_its_body() -> None:
    # A syndicated copy is the same text at another URL; no state may leak between calls.
    first = extract_article(article(), URL)
    second = extract_article(article(), "https://wire.example/en/story/501")
    assert second.body == first.body == "\n\n".join(PARAGRAPHS)


def test_an_unknown_timezone_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="time zone"):
        extract_article(article(), URL, timezone="Mars/Olympus")


GARBAGE = [
    "",
    "   \n\t ",
    decode_html(bytes(range(256)) * 64, None)[0],
    decode_html(b"\x89PNG\r\n\x1a\n" + bytes(4000), "utf-8")[0],
    "<html><body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + "</body></html>",
    "<html><head><title>unclosed<body><p>text <b><i></p></span></div>",
    article(jsonld(datePublished="not a date").replace('"@context"', '"@graph": [[[[[[]]]]]], "@context"')),
    article('<script type="application/ld+json">' + "[" * 100_000 + "</script>"),
    article(
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
        + "[" * 900
        + "]" * 900
        + ', "headline": '
        + '{"name": ' * 900
        + "1"
        + "}" * 900
        + "}</script>"
    ),
    article('<script type="application/ld+json">{"@type": ["NewsArticle"], "author": 5, "headline": {}}</script>'),
    article('<link rel="canonical" href="http://[::1"><base href="http://[oops">'),
    article('<meta property="article:published_time" content="99999-99-99">'),
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>xml prolog</p></body></html>',
]


@pytest.mark.parametrize("html", GARBAGE)
def test_garbage_never_raises(html: str) -> None:
    extracted = extract_article(html, URL, timezone="Europe/Moscow", hints={"title": 5, "published": "junk"})
    assert isinstance(extracted.body, str)
    assert extracted.is_article or extracted.drop_reason == "not_article"


def test_empty_input_is_not_an_article() -> None:
    extracted = extract_article("", URL)
    assert (extracted.is_article, extracted.drop_reason, extracted.body, extracted.title) == (
        False,
        "not_article",
        "",
        None,
    )
    assert extracted.canonical_url == URL


@pytest.mark.parametrize("url", ["", "not a url", "http://[::1", "javascript:alert(1)", "http://x.example:99999/"])
def test_a_broken_url_never_raises(url: str) -> None:
    head = '<link rel="canonical" href="/x/y"><link rel="alternate" hreflang="ru" href="/ru/x">'
    extracted = extract_article(article(head, header='<a href="/ru/news/1-x">Ru</a>'), url)
    assert extracted.title == TITLE


def test_screen_reader_only_text_stays_out_of_the_body() -> None:
    hidden = (
        '<span style="border:0; clip: rect(0 0 0 0); height:1px; overflow:hidden; position:absolute">'
        ", opens new tab</span>"
    )
    first = f'The passenger ferry <a href="/ships">Marta Solberg{hidden}</a> returned to the crossing.'
    paragraphs = (first + " " + PARAGRAPHS[0], '<span class="sr-only">Advertisement</span>' + PARAGRAPHS[1])
    extracted = extract_article(article(paragraphs=(*paragraphs, PARAGRAPHS[2])), URL)
    assert "opens new tab" not in extracted.body and "Advertisement" not in extracted.body
    assert "Marta Solberg returned to the crossing" in extracted.body


def test_the_headline_repeated_inside_the_body_is_dropped() -> None:
    # A video box or share bar repeating the headline between paragraphs is not a paragraph.
    paragraphs = (PARAGRAPHS[0], TITLE, PARAGRAPHS[1], PARAGRAPHS[2])
    extracted = extract_article(article(paragraphs=paragraphs), URL)
    assert TITLE not in extracted.body
    assert extracted.body.split("\n\n") == list(PARAGRAPHS)


def test_a_site_rule_prefers_og_title_where_the_h1_is_a_search_title() -> None:
    head = '<meta property="og:title" content="Ferry back in service">'
    # The generic rule keeps the h1 that <title> confirms ...
    assert extract_article(article(head), URL).title == TITLE
    # ... Euronews' template puts a longer search title in its h1 and <title>, the headline in og:title.
    euronews = "https://www.euronews.com/2026/01/06/ferry-back-in-service"
    assert extract_article(article(head), euronews).title == "Ferry back in service"
    assert extract_article(article(), euronews).title == TITLE


def test_the_main_picture_is_the_shared_one_else_the_first_of_the_text():
    shared = (
        '<html><head><meta property="og:image" content="/img/port_1200x630.jpg"></head>'
        "<body><article><h1>Port</h1><p>" + "The port handled more containers than ever. " * 8 + "</p>"
        '<img src="/img/other.jpg"></article></body></html>'
    )
    assert (
        extract_article(shared, "https://example.org/en/a/1").image_url == "https://example.org/img/port_1200x630.jpg"
    )
    inline = shared.replace('<meta property="og:image" content="/img/port_1200x630.jpg">', "")
    assert extract_article(inline, "https://example.org/en/a/1").image_url == "https://example.org/img/other.jpg"
    bare = inline.replace('<img src="/img/other.jpg">', "")
    assert extract_article(bare, "https://example.org/en/a/1").image_url is None
