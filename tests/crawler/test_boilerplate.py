"""Page furniture taken out of an extracted body, on small hand-written pages and on the body alone."""

from __future__ import annotations

import lxml.html
import pytest

from crawler.extract.article import extract_article
from crawler.extract.boilerplate import page_links, without_furniture

URL = "https://news.example/en/news/7-harbour-reopens"
PARAGRAPHS = (
    "The northern harbour of Vellmar reopened to cargo ships on Tuesday after a six-week closure caused by a "
    "collapsed quay wall, the port authority said.",
    "Engineers rebuilt 120 metres of the wall and dredged the approach channel, which had silted up while the "
    "harbour was closed to traffic.",
    "Shipping agents expect the backlog of about 40 vessels waiting at anchor to clear by the end of the month.",
)
TEASERS = (
    "Storm closes the ferry crossing for a second day",
    "New container terminal opens in the south of the bay",
)


def page(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harbour reopens</title>'
        '<meta property="og:type" content="article"></head><body><article><h1>Harbour reopens</h1>'
        f'<div class="article-body">{body}</div></article></body></html>'
    )


def prose(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def teaser_list() -> str:
    items = "".join(
        f'<li><a href="/en/news/{n}">{text}</a> Our reporter explains.</li>' for n, text in enumerate(TEASERS)
    )
    return f"<ul>{items}</ul>"


def test_a_list_of_teasers_after_the_article_is_not_body() -> None:
    body = extract_article(page(prose(*PARAGRAPHS) + "<h3>Read next</h3>" + teaser_list()), URL).body
    assert all(paragraph in body for paragraph in PARAGRAPHS)
    assert not any(teaser in body for teaser in TEASERS)


def test_a_read_more_line_is_not_body_but_a_sentence_with_a_link_is() -> None:
    teaser = f'<p>Read more: <a href="/en/news/1">{TEASERS[0]}</a></p>'
    promo = f'<p><strong><a href="/en/news/2">{TEASERS[1].upper()}</a></strong></p>'
    sentence = '<p>The <a href="/en/authority">port authority</a> thanked the crews for their work overnight.</p>'
    html = page(prose(PARAGRAPHS[0]) + teaser + sentence + promo + prose(*PARAGRAPHS[1:]))
    body = extract_article(html, URL).body
    assert TEASERS[0] not in body and TEASERS[1].upper() not in body
    assert "The port authority thanked the crews for their work overnight." in body
    assert body.endswith(PARAGRAPHS[-1])


@pytest.mark.parametrize(
    "note",
    [
        "3 Minuten Lesezeit",
        "5 min read",
        "Время чтения: 4 минуты",
        "Temps de lecture : 3 min",
        "© 2026 Vellmar Post. All rights reserved.",
        "Copyright © News Agency 2017-2026. A subscription is required for commercial use.",
    ],
)
def test_reading_time_and_copyright_notes_are_not_body(note: str) -> None:
    body = extract_article(page(prose(PARAGRAPHS[0], note, *PARAGRAPHS[1:], note)), URL).body
    assert note not in body
    assert body == "\n\n".join(PARAGRAPHS)


@pytest.mark.parametrize(
    "banner",
    [
        "We use cookies to improve your experience.",
        "This website uses cookies. By continuing to browse you accept all cookies.",
        "Наш сайт использует файлы cookie, чтобы улучшить работу.",
        "نستخدم ملفات تعريف الارتباط لتحسين تجربتك",
    ],
)
def test_a_cookie_banner_is_not_body(banner: str) -> None:
    text = "\n".join([PARAGRAPHS[0], banner, *PARAGRAPHS[1:]])
    assert without_furniture(text, page_links(lxml.html.fromstring(page(prose(*PARAGRAPHS))))) == "\n".join(PARAGRAPHS)


def test_a_page_with_only_a_menu_and_a_figure_has_no_body() -> None:
    menu = "".join(f'<a href="/en/{name.lower()}/">{name}</a> ' for name in ("Politics", "World", "Sport"))
    html = page('<figure><img src="/fair.jpg" alt=""></figure>').replace("<body>", f"<body><nav>{menu}</nav>")
    extracted = extract_article(html, URL)
    assert extracted.body == "" and extracted.drop_reason == "empty_body"


def test_prose_about_reading_or_copyright_stays() -> None:
    lines = [
        "Copyright lawyers said on Monday that the ruling could apply to every port in the region.",
        "Dock workers read the 40-page report in 10 minutes and rejected it.",
        "Regulators said the browser will stop supporting third-party cookies next year.",
    ]
    assert without_furniture("\n".join(lines), page_links(lxml.html.fromstring("<p>x</p>"))) == "\n".join(lines)


def test_the_lead_and_the_closing_line_stay() -> None:
    lead = "<p><strong>Six weeks after the quay wall collapsed, ships are back.</strong></p>"
    closing = "<p>The authority will publish its report on the collapse in June.</p>"
    body = extract_article(page(lead + prose(*PARAGRAPHS) + closing), URL).body
    assert body.startswith("Six weeks after the quay wall collapsed, ships are back.")
    assert body.endswith("The authority will publish its report on the collapse in June.")


def test_a_round_up_made_of_links_keeps_its_links() -> None:
    tree = lxml.html.fromstring(page(teaser_list()))
    lines = [f"- {text} Our reporter explains." for text in TEASERS]
    assert without_furniture("\n".join(lines), page_links(tree)) == "\n".join(lines)


def test_the_sub_headline_in_the_article_header_is_not_body_but_the_lead_is() -> None:
    header = "<header><h1>Harbour reopens</h1><h2>Ships return after six weeks</h2></header>"
    lead = "<p>Six weeks after the quay wall collapsed, ships are back.</p>"
    html = page(header + lead + prose(*PARAGRAPHS)).replace("<article><h1>Harbour reopens</h1>", "<article>")
    body = extract_article(html, URL).body
    assert body.startswith("Six weeks after the quay wall collapsed, ships are back.")
    assert "Ships return after six weeks" not in body
