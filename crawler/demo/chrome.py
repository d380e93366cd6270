"""The parts every Meridian page shares: localised labels, header, footer, document shell."""

from __future__ import annotations

from html import escape

from crawler.demo.data import LANGS, SECTIONS

SITE_NAME = "Demo Meridian"
WIRE_NAME = "Demo Wire"

SECTION_NAMES = {
    "ru": ("Политика", "Экономика", "В мире", "Наука", "Культура", "Спорт"),
    "en": ("Politics", "Economy", "World", "Science", "Culture", "Sport"),
    "ar": ("سياسة", "اقتصاد", "العالم", "علوم", "ثقافة", "رياضة"),
}
# The labels real trilingual sites put in their language switcher.
SWITCH_LABELS = {"ru": "Ru", "en": "En", "ar": "عربي"}
RELATED = {"ru": "Читайте также", "en": "Related stories", "ar": "اقرأ أيضاً"}
FRONT_TITLES = {"ru": "Главные новости", "en": "Top stories", "ar": "أهم الأخبار"}
FOOTER = {
    "ru": ("© Demo Meridian. Все права защищены.", "Подпишитесь на нашу утреннюю рассылку."),
    "en": ("© Demo Meridian. All rights reserved.", "Subscribe to our morning newsletter."),
    "ar": ("© Demo Meridian. جميع الحقوق محفوظة.", "اشترك في نشرتنا الصباحية."),
}
LOCALES = {"ru": "ru_RU", "en": "en_GB", "ar": "ar_AR"}


def section_name(lang: str, section: str) -> str:
    return SECTION_NAMES[lang][SECTIONS.index(section)]


def html_open(lang: str) -> str:
    direction = ' dir="rtl"' if lang == "ar" else ""
    return f'<!DOCTYPE html>\n<html lang="{lang}"{direction}>'


def link(href: str, text: str, **attrs: str) -> str:
    extra = "".join(f' {name}="{escape(value)}"' for name, value in attrs.items())
    return f'<a href="{escape(href)}"{extra}>{escape(text)}</a>'


def header(lang: str, switcher: str) -> str:
    sections = " ".join(link(f"/{lang}/{s}/", section_name(lang, s)) for s in SECTIONS)
    return "\n".join(
        (
            '<header class="site-header">',
            link(f"/{lang}/", SITE_NAME, **{"class": "logo"}),
            f'<nav class="sections">{sections}</nav>',
            switcher,
            "</header>",
        )
    )


def fronts_switcher(lang: str) -> str:
    """A switcher to the edition fronts: it names languages but links no translation."""
    anchors = " ".join(link(f"/{other}/", SWITCH_LABELS[other]) for other in LANGS if other != lang)
    return f'<nav class="lang-switch">{anchors}</nav>'


def footer(lang: str) -> str:
    lines = "".join(f"<p>{escape(text)}</p>" for text in FOOTER[lang])
    about = link("/en/about", "About us") if lang == "en" else ""
    return f'<footer class="site-footer">{lines}{about}</footer>'


def link_list(items: list[tuple[str, str]], css: str) -> str:
    """A <ul> of (absolute url, title) links."""
    rows = "\n".join(f"<li>{link(url, title)}</li>" for url, title in items)
    return f'<ul class="{css}">\n{rows}\n</ul>'


def simple_page(lang: str, title: str, body: str, *, canonical: str | None = None) -> str:
    """A plain non-article page (fronts, about, errors) with the site chrome."""
    head = [
        html_open(lang),
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title)} — {SITE_NAME}</title>",
        '<meta property="og:type" content="website">',
    ]
    if canonical:
        head.append(f'<link rel="canonical" href="{escape(canonical)}">')
    page = ["</head>", "<body>", header(lang, fronts_switcher(lang)), "<main>", body, "</main>", footer(lang)]
    return "\n".join((*head, *page, "</body>", "</html>", ""))
