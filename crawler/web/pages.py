"""HTML for the operator dashboard. Everything shown passes through :func:`esc` or :func:`link`:
titles, bodies and URLs come from crawled pages and are untrusted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

from crawler.web import charts
from storage.stories import STORY_LANGS

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.n{text-align:right}.finished{color:#176f2c}.degraded{color:#a15c00}.failed{color:#b00020}
.interrupted{color:#555}.running{color:#0b57d0}.reason{color:#555;font-size:.9em}.body{white-space:pre-wrap;max-width:50em}
[dir=rtl]{text-align:right}td.story{max-width:22em}.charts{display:flex;flex-wrap:wrap;gap:1.5em}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3em}
svg.chart{font-size:11px;max-width:100%;height:auto}svg .tick{fill:#555;font-size:10px}form.filters{margin:.5em 0}
"""


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def link(url: str | None, text: Any) -> str:
    """A link to an external page, only for http(s) URLs; anything else is shown as text."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return esc(text)
    return f'<a href="{esc(url)}" rel="noopener noreferrer nofollow">{esc(text)}</a>'


def _layout(title: str, content: str, refresh: int | None = None) -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{meta}<title>{esc(title)}</title>'
        f"<style>{STYLE}</style></head><body>{content}</body></html>"
    )


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = ()) -> str:
    """``rows`` hold HTML cells, already escaped."""
    right = set(numeric)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="n">{c}</td>' if i in right else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _dir(lang: str | None) -> str:
    return ' dir="rtl"' if lang in ("ar", "fa", "he", "ur") else ""


def _status(status: str | None) -> str:
    return f'<span class="{esc(status)}">{esc(status or "–")}</span>'


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _short_time(value: str | None) -> str:
    return esc(value[:19].replace("T", " ")) if value else "–"


def _sources(overview: Sequence[Mapping[str, Any]]) -> str:
    langs = sorted({lang for row in overview for lang in row["by_lang"]})
    headers = ["source", "articles", *langs, "last run", "started (UTC)", "last healthy run", "error rate"]
    rows = [
        [
            f'<a href="/?{esc(urlencode({"source": row["source"]}))}">{esc(row["source"])}</a> {esc(row["name"])}',
            str(row["articles"]),
            *[str(row["by_lang"].get(lang, 0)) for lang in langs],
            _status(row["last_status"]) + (" (running)" if row["running"] else ""),
            _short_time(row["last_started_at"]),
            _short_time(row["last_success_at"]),
            _rate(row["error_rate"]),
        ]
        for row in overview
    ]
    return _table(headers, rows, numeric=range(1, 2 + len(langs)))


def _jobs(jobs: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for job in jobs:
        source = job["source"] + (f" [{','.join(job['langs'])}]" if job["langs"] else "")
        reason = f'<div class="reason">{esc(job["reason"])}</div>' if job["reason"] else ""
        rows.append(
            [
                str(job["id"]),
                esc(source),
                esc(job["trigger"]),
                _status(job["status"]) + reason,
                _short_time(job["started_at"]),
                f"{job['duration_seconds']:.0f} s",
                str(job["pages"]),
                str(job["items"]),
                str(job["stored"]),
                str(sum(job["dropped"].values())),
                str(sum(job["errors"].values())),
            ]
        )
    headers = [
        "id",
        "source",
        "trigger",
        "status",
        "started (UTC)",
        "time",
        "pages",
        "items",
        "new",
        "dropped",
        "errors",
    ]
    return _table(headers, rows, numeric=[0, 5, 6, 7, 8, 9, 10])


def _translations(items: Sequence[Mapping[str, Any]]) -> str:
    return (
        " ".join(f'<a href="/articles/{int(t["id"])}" title="{esc(t["title"])}">{esc(t["lang"])}</a>' for t in items)
        or "–"
    )


def _story_cell(story: Mapping[str, Any], lang: str) -> str:
    member = story["langs"].get(lang)
    if member is None:
        return "–"
    title = esc(member["title"] or "(no title)")
    return f'<a href="/articles/{int(member["id"])}"{_dir(lang)} lang="{esc(lang)}">{title}</a>'


def _stories(stories: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for story in stories:
        cells = "".join(f'<td class="story"{_dir(lang)}>{_story_cell(story, lang)}</td>' for lang in STORY_LANGS)
        when = _short_time(story["published_at"] or story["first_fetched_at"])
        rows.append(f'<tr data-story="{esc(story["id"])}"><td>{when}</td><td>{esc(story["source"])}</td>{cells}</tr>')
    head = "".join(f"<th>{esc(h)}</th>" for h in ["published (UTC)", "source", *STORY_LANGS])
    return f'<table id="stories"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _filters(overview: Sequence[Mapping[str, Any]], chosen: Mapping[str, str]) -> str:
    def select(name: str, label: str, options: Sequence[str]) -> str:
        items = "".join(
            f'<option value="{esc(o)}"{" selected" if chosen.get(name) == o else ""}>{esc(o or "all")}</option>'
            for o in ["", *options]
        )
        return f'<label>{esc(label)} <select name="{esc(name)}">{items}</select></label> '

    sources = [str(row["source"]) for row in overview]
    return (
        '<form method="get" action="/" class="filters">'
        + select("lang", "language", STORY_LANGS)
        + select("source", "source", sources)
        + '<button type="submit">show</button></form>'
    )


def dashboard(
    *,
    overview: Sequence[Mapping[str, Any]],
    per_day: Mapping[str, Mapping[str, int]],
    coverage: Mapping[str, Mapping[str, float]],
    jobs: Sequence[Mapping[str, Any]],
    stories: Sequence[Mapping[str, Any]],
    filters: Mapping[str, str],
) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in filters.items() if v)
    rates = [(str(row["source"]), row["error_rate"], row["drop_rate"]) for row in overview]
    content = (
        "<h1>newsagg</h1><p>Refreshes every 30 s. "
        '<a href="/metrics">metrics</a> · <a href="/api/jobs">jobs JSON</a> · <a href="/api/stats">stats JSON</a>'
        ' · <a href="/openapi.json">API description</a></p>'
        '<h2>Charts</h2><div class="charts">'
        + charts.per_day(per_day, "New articles per day and language")
        + charts.rates(rates, "Error and drop rates per source (recent runs)")
        + charts.coverage(coverage, "Translation coverage: stories in one language that have another")
        + "</div>"
        f"<h2>Crawl jobs</h2>{_jobs(jobs)}"
        f"<h2>Stories{esc(' (' + shown + ')') if shown else ''}</h2>{_filters(overview, filters)}{_stories(stories)}"
        f"<h2>Sources</h2>{_sources(overview)}"
    )
    return _layout("newsagg", content, refresh=30)


def article(item: Mapping[str, Any]) -> str:
    facts = [
        ("source", esc(item["source"])),
        ("language", esc(item["lang"])),
        ("address", link(item["url"], item["url"])),
        ("published (UTC)", _short_time(item["published_at"])),
        ("authors", esc(", ".join(item["authors"])) or "–"),
        ("version", esc(item["version"])),
        ("translations", _translations(item["translations"])),
    ]
    urls = _table(["url", "kind"], [[link(u["url"], u["url"]), esc(u["kind"])] for u in item["urls"]])
    content = (
        f'<p><a href="/">dashboard</a></p><h1{_dir(item["lang"])}>{esc(item["title"] or "(no title)")}</h1>'
        + _table(["", ""], [[esc(k), v] for k, v in facts])
        + f'<h2>Text</h2><div class="body"{_dir(item["lang"])}>{esc(item["body"])}</div>'
        + f"<h2>Addresses seen</h2>{urls}"
    )
    return _layout(str(item["title"] or "article"), content)


def error_page(status: str, message: str) -> str:
    return _layout(status, f'<h1>{esc(status)}</h1><p>{esc(message)}</p><p><a href="/">dashboard</a></p>')
