"""Translation linking through the real entry points: a crawl (the spider and its pipeline) over a small
site on 127.0.0.1 whose pages declare translations rightly and wrongly, then `newsagg link` over what it
stored.

The site (see PAGES): a pair linked only by its sitemap's xhtml:link alternates (the Russian page is
in no feed, so only following the alternate collects it); hreflang to edition fronts; hreflang
naming a page of another language than declared; hreflang to a regional variant in the page's own
language; a URL id shared by a pair and by two pages published 40 days apart; a pair with no links
at all, linked on content, beside a decoy about another event of the same kind on the same day.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.commands.report import crawl_summary
from storage.db import session_scope, upgrade
from storage.models import Article, PendingLink, RejectedLink, TranslationLink

from ..conftest import fresh_postgres_database, run_newsagg
from ..crawl_process import crawl_here


@dataclass(frozen=True)
class Page:
    lang: str
    path: str
    published: str
    title: str
    paragraphs: tuple[str, ...]
    head: str = ""  # extra <head> markup: the page's declared alternates


def hreflang(lang: str, href: str) -> str:
    return f'<link rel="alternate" hreflang="{lang}" href="{href}">'


PAGES = (
    Page("en", "/en/a/11", "2026-03-10T08:00:00Z", "Harbour square reopens after renovation", (
        "The central square of the old harbour town reopened to visitors on a sunny morning after a long "
        "renovation that closed it for most of the previous year.",
        "Workers replaced the worn paving stones, planted young trees along the edges and installed new "
        "benches and lamps, so that families can now sit outside in the evening.",
        "Local shop owners said they hoped the square would bring back the crowds that used to fill the "
        "cafes and markets before the works began.")),
    Page("ru", "/ru/a/21", "2026-03-10T08:00:00Z", "Площадь в гавани открылась после ремонта", (
        "Центральная площадь старого портового города вновь открылась для посетителей солнечным утром после "
        "долгой реконструкции, из-за которой она была закрыта большую часть прошлого года.",
        "Рабочие заменили изношенную брусчатку, посадили молодые деревья по краям и установили новые скамейки "
        "и фонари, так что теперь семьи могут сидеть на улице по вечерам.",
        "Владельцы местных магазинов сказали, что надеются, что площадь вернёт толпы, которые заполняли кафе "
        "и рынки до начала работ.")),
    Page("en", "/en/a/12", "2026-03-10T09:00:00Z", "The library stays open later in the evening", (
        "The city library will stay open later in the evening from next week, the library board announced, so "
        "that students and workers can use the reading rooms after their classes and shifts.",
        "The board said the change follows requests from readers who complained that the rooms closed too early "
        "for anyone with a full-time job.",
        "More staff will be added to the evening shifts, and the small cafe on the ground floor will also stay "
        "open until the building closes."),
        head=hreflang("ru", "/ru/") + hreflang("ar", "/ar/sport")),
    Page("en", "/en/a/13", "2026-03-10T10:00:00Z", "Farmers prepare for an early harvest", (
        "Farmers in the river valley are preparing for an unusually early harvest after a warm and dry spring "
        "that ripened the wheat and barley weeks ahead of the usual season.",
        "Machinery dealers said they had sold out of spare parts, and several cooperatives have hired extra "
        "drivers to bring the grain to the silos before the autumn rains.",
        "Agronomists warned that the dry weather could reduce the size of the grain even if the fields look "
        "healthy from the road."),
        head=hreflang("ar", "/ru/a/23")),
    Page("ru", "/ru/a/23", "2026-03-10T10:30:00Z", "Школьники посадили сад во дворе", (
        "Ученики городской школы посадили во дворе фруктовый сад: яблони, груши и вишни появились на месте "
        "старой спортивной площадки, которую давно собирались перестроить.",
        "Учителя биологии рассказали, что дети сами выбирали сорта деревьев и теперь будут по очереди "
        "ухаживать за ними на переменах и после уроков.",
        "Родители помогли привезти саженцы и землю, а местный питомник подарил школе инструменты и "
        "пообещал прислать садовника весной.")),
    Page("en", "/en/a/14", "2026-03-10T11:00:00Z", "New cycle lanes open along the river embankment", (
        "New cycle lanes opened along the river embankment on a quiet morning, separating riders from cars "
        "with a low kerb and a row of young trees planted by the council.",
        "Cyclists welcomed the change but asked for more parking racks near the bridges, where bicycles are "
        "often left leaning against the railings for lack of space.",
        "The council said it would watch how the lanes are used over the summer before deciding whether to "
        "extend them into the old quarter."),
        head=hreflang("en-US", "/en/a/14") + hreflang("en-GB", "/en/a/15")),
    Page("en", "/en/a/15", "2026-03-10T11:30:00Z", "Museum opens a new hall of old maps", (
        "The regional museum opened a new hall devoted to old maps and sea charts, many of them shown to the "
        "public for the first time after years in storage.",
        "Curators spent months cleaning and repairing the fragile paper before the maps could be hung behind "
        "glass in rooms with dim light and steady humidity.",
        "Visitors can also use a large touch screen to compare the old coastlines with modern satellite "
        "images of the same bays and islands.")),
    Page("en", "/en/a/16", "2026-03-10T12:00:00Z", "Volunteers clean the city beach after the storm", (
        "Hundreds of volunteers spent the weekend cleaning the city beach after a storm washed seaweed, "
        "plastic and broken branches onto the sand.",
        "Organisers handed out gloves and bags, and the municipal services sent lorries to take away the "
        "rubbish that the volunteers piled near the promenade.",
        "The beach is expected to be ready for swimmers again well before the start of the summer season.")),
    Page("ru", "/ru/a/16", "2026-03-10T12:20:00Z", "Волонтёры убрали городской пляж после шторма", (
        "Сотни волонтёров провели выходные, убирая городской пляж после шторма, который выбросил на песок "
        "водоросли, пластик и сломанные ветки.",
        "Организаторы раздавали перчатки и мешки, а городские службы прислали грузовики, чтобы вывезти мусор, "
        "который волонтёры сложили у набережной.",
        "Ожидается, что пляж снова будет готов для купания задолго до начала летнего сезона.")),
    Page("en", "/en/a/17", "2026-03-10T13:00:00Z", "Bakery reopens in the old market hall", (
        "A family bakery reopened in the old market hall, selling bread baked in a wood-fired oven that "
        "the new owners restored with the help of local craftsmen.",
        "Queues formed before dawn on the first morning, and the shelves were empty long before the market "
        "closed in the afternoon.",
        "The owners said they would bake a second batch every day once they have trained enough helpers.")),
    Page("ar", "/ar/a/17", "2026-04-19T13:00:00Z", "افتتاح حديقة جديدة للأطفال في الحي القديم", (
        "افتتحت البلدية حديقة جديدة للأطفال في الحي القديم تضم ألعابا خشبية ومساحات خضراء واسعة ومقاعد "
        "للأهالي تحت ظلال الأشجار.",
        "وقال سكان الحي إنهم انتظروا هذا المشروع طويلا لأن الأطفال كانوا يلعبون في الشوارع الضيقة بين "
        "السيارات.",
        "وتعتزم البلدية تنظيم أنشطة ثقافية في الحديقة خلال عطلة الصيف بمشاركة المدارس والجمعيات المحلية.")),
    Page("en", "/en/a/18", "2026-03-10T14:00:00Z",
         "Northwind Airlines orders 14 regional jets worth 612 million dollars", (
        "Northwind Airlines signed an order for 14 regional jets worth 612 million dollars at the Dubai "
        "Airshow on March 10, chief executive Omar Haddad said.",
        "The first 4 aircraft will arrive in 2027 and the rest by the end of 2029. Each jet seats 88 "
        "passengers and burns 17.5 percent less fuel than the planes it replaces.",
        "Haddad said the airline would open routes from Muscat to Tbilisi and Almaty. Details are published "
        "at example.org/northwind-fleet and on the account @NorthwindAir.")),
    Page("ar", "/ar/a/38", "2026-03-10T14:30:00Z",
         "طيران نورثويند تطلب 14 طائرة إقليمية بقيمة 612 مليون دولار", (
        "وقعت شركة طيران نورثويند طلبية لشراء 14 طائرة إقليمية بقيمة 612 مليون دولار خلال معرض دبي للطيران "
        "في 10 مارس، بحسب ما أعلنه الرئيس التنفيذي عمر حداد.",
        "وستصل أول 4 طائرات في عام 2027 والبقية بحلول نهاية عام 2029. وتتسع كل طائرة لـ88 راكبا وتستهلك "
        "وقودا أقل بنسبة 17.5 في المئة من الطائرات التي ستحل محلها.",
        "وقال حداد إن الشركة ستفتتح خطوطا من مسقط إلى تبليسي وألماتي. وتتوفر التفاصيل على الموقع "
        "example.org/northwind-fleet وعبر الحساب @NorthwindAir.")),
    Page("ru", "/ru/a/28", "2026-03-10T15:00:00Z",
         "«Сибирский экспресс» получил первый из 14 новых самолётов", (
        "Авиакомпания «Сибирский экспресс» 10 марта получила в Новосибирске первый из 14 заказанных "
        "самолётов, сообщил её генеральный директор Павел Лебедев.",
        "Остальные машины поступят до конца 2027 года. Каждый самолёт рассчитан на 120 пассажиров, "
        "стоимость контракта составила 2,3 млрд рублей.",
        "Лебедев сказал, что новые самолёты позволят открыть рейсы из Новосибирска в Иркутск и Красноярск "
        "уже летом.")),
)  # fmt: skip
FEEDS = {"en": ["/en/a/1" + str(n) for n in range(1, 9)], "ru": ["/ru/a/23", "/ru/a/16", "/ru/a/28"]}
SITEMAP = (("/en/a/11", (("en", "/en/a/11"), ("ru-RU", "/ru/a/21"))), ("/ar/a/38", ()), ("/ar/a/17", ()))
# The site is on loopback: no politeness delays.
NO_POLITENESS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}
SOURCES = """\
- key: mini
  name: Mini
  timezone: UTC
  editions:
    - {{lang: en, domains: [127.0.0.1], feeds: ["{base}/en/feed.xml"], article_urls: ['/en/a/\\d+$']}}
    - {{lang: ru, domains: [127.0.0.1], feeds: ["{base}/ru/feed.xml"], article_urls: ['/ru/a/\\d+$']}}
    - {{lang: ar, domains: [127.0.0.1], article_urls: ['/ar/a/\\d+$']}}
  translations:
    url_id: '/a/(\\d+)$'
"""


def render(page: Page, base: str) -> str:
    body = "".join(f"<p>{escape(text)}</p>" for text in page.paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{page.lang}"><head><meta charset="utf-8"><title>{escape(page.title)}</title>'
        f'<link rel="canonical" href="{base}{page.path}"><meta property="og:type" content="article">'
        f'<meta property="og:title" content="{escape(page.title)}">'
        f'<meta property="article:published_time" content="{page.published}">{page.head}</head>'
        f'<body><nav><a href="/{page.lang}/">Home</a></nav><main><article><h1>{escape(page.title)}</h1>{body}'
        "</article></main></body></html>"
    )


def site_files(base: str) -> dict[str, tuple[str, str]]:
    pages = {page.path: page for page in PAGES}
    files = {page.path: ("text/html; charset=utf-8", render(page, base)) for page in PAGES}
    for lang, paths in FEEDS.items():
        items = "".join(f"<item><title>{escape(pages[p].title)}</title><link>{base}{p}</link></item>" for p in paths)
        files[f"/{lang}/feed.xml"] = ("application/rss+xml", f'<rss version="2.0"><channel>{items}</channel></rss>')
    urls = "".join(
        f"<url><loc>{base}{loc}</loc>"
        + "".join(f'<xhtml:link rel="alternate" hreflang="{lang}" href="{base}{href}"/>' for lang, href in alternates)
        + "</url>"
        for loc, alternates in SITEMAP
    )
    files["/sitemap.xml"] = (
        "application/xml",
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'
        f"{urls}</urlset>",
    )
    files["/robots.txt"] = ("text/plain", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
    return files


class Site:
    """The pages above on 127.0.0.1, counting the requests for each path."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                found = site.files.get(self.path)
                content_type, text = found or ("text/html", "<html><body>not found</body></html>")
                data = text.encode("utf-8")
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.files = site_files(self.base)

    def __enter__(self) -> Site:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Crawled:
    db: str
    base: str
    folder: Path
    hits: dict[str, int]

    def url(self, path: str) -> str:
        return self.base + path

    def ids(self) -> dict[str, int]:
        with session_scope(self.db) as session:
            return {a.canonical_url.removeprefix(self.base): a.id for a in session.scalars(select(Article))}

    def links(self) -> dict[frozenset[str], str]:
        paths = {v: k for k, v in self.ids().items()}
        with session_scope(self.db) as session:
            return {
                frozenset((paths[k.article_id], paths[k.other_article_id])): k.method
                for k in session.scalars(select(TranslationLink))
            }

    def rejected(self) -> dict[frozenset[str], tuple[str, str]]:
        paths = {v: k for k, v in self.ids().items()}
        with session_scope(self.db) as session:
            return {
                frozenset((paths[r.article_id], paths[r.other_article_id])): (r.method, r.reason)
                for r in session.scalars(select(RejectedLink))
            }


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    folder = tmp_path_factory.mktemp(f"linking-{request.param}")
    with Site() as site:
        sources = folder / "mini.yaml"
        sources.write_text(SOURCES.format(base=site.base), encoding="utf-8")

        def crawl(db: str) -> Crawled:
            upgrade(db)
            _stats, log = crawl_here(db, sources, ["mini"], NO_POLITENESS)
            assert crawl_summary(db)["articles"] == len(PAGES), log[-3000:]
            return Crawled(db, site.base, folder, dict(site.hits))

        if request.param == "sqlite":
            yield crawl(f"sqlite:///{folder / 'mini.db'}")
            return
        with fresh_postgres_database() as url:
            yield crawl(url)


def test_sitemap_alternates_link_a_pair_and_bring_in_the_page_no_feed_lists(crawled: Crawled):
    assert crawled.hits.get("/ru/a/21") == 1
    assert crawled.links()[frozenset({"/en/a/11", "/ru/a/21"})] == "hreflang"


def test_declared_links_that_do_not_hold_are_not_linked(crawled: Crawled):
    links, rejected = crawled.links(), crawled.rejected()
    linked = set().union(*links)
    # Fronts and sections are no translations: neither linked nor waited for.
    assert "/en/a/12" not in linked
    with session_scope(crawled.db) as session:
        assert list(session.scalars(select(PendingLink.target_url))) == []
    # Declared Arabic, the page is Russian.
    assert "/en/a/13" not in linked and "/ru/a/23" not in linked
    assert rejected[frozenset({"/en/a/13", "/ru/a/23"})] == ("hreflang", "lang_mismatch")
    # A regional variant in the page's own language is no translation either.
    assert "/en/a/14" not in linked and "/en/a/15" not in linked


def test_a_shared_url_id_links_editions_published_together_only(crawled: Crawled):
    links, rejected = crawled.links(), crawled.rejected()
    assert links[frozenset({"/en/a/16", "/ru/a/16"})] == "url_pattern"
    assert frozenset({"/en/a/17", "/ar/a/17"}) not in links
    assert rejected[frozenset({"/en/a/17", "/ar/a/17"})] == ("url_pattern", "far_apart")


def test_content_links_the_translation_and_not_the_decoy(crawled: Crawled):
    links = crawled.links()
    assert links[frozenset({"/en/a/18", "/ar/a/38"})] == "content"
    assert not [pair for pair in links if "/ru/a/28" in pair]
    assert len(links) == 3


def test_newsagg_link_is_idempotent_and_follows_a_new_threshold(crawled: Crawled):
    before = crawled.links()
    again = run_newsagg("link", "--db", crawled.db, "--json", cwd=crawled.folder)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["articles"], report["linked"], report["links_dropped"]) == (len(PAGES), 0, 0)
    assert crawled.links() == before

    strict = run_newsagg("link", "--db", crawled.db, "--threshold", "0.99", "--json", cwd=crawled.folder)
    assert json.loads(strict.stdout)["links_dropped"] == 1
    assert frozenset({"/en/a/18", "/ar/a/38"}) not in crawled.links()
    assert crawled.rejected()[frozenset({"/en/a/18", "/ar/a/38"})] == ("content", "below_threshold")

    restored = run_newsagg("link", "--db", crawled.db, "--since", "2026-03-10", cwd=crawled.folder)
    assert restored.returncode == 0, restored.stderr
    assert "links added 1" in restored.stdout
    assert crawled.links() == before


def test_newsagg_link_rejects_bad_arguments_in_one_line(crawled: Crawled):
    for args in (["--since", "last week"], ["--threshold", "2"], ["--window-hours", "0"]):
        result = run_newsagg("link", "--db", crawled.db, *args, cwd=crawled.folder)
        assert result.returncode == 2
        assert result.stderr.startswith("newsagg: error: ") and result.stderr.count("\n") == 1, result.stderr
