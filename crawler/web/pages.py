"""HTML for the operator dashboard. Everything shown passes through :func:`esc` or :func:`link`:
titles, bodies and URLs come from crawled pages and are untrusted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.n{text-align:right}.finished{color:#176f2c}.degraded{color:#a15c00}.failed{color:#b00020}
.interrupted{color:#555}.running{color:#0b57d0}.reason{color:#555;font-size:.9em}.body{white-space:pre-wrap;max-width:50em}
[dir=rtl]{text-align:right}
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
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{meta}<title>{esc(title)}</title>'
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


def _per_day(per_day: Mapping[str, Mapping[str, int]]) -> str:
    langs = sorted({lang for counts in per_day.values() for lang in counts})
    rows = [[esc(day), *[str(counts.get(lang, 0)) for lang in langs]] for day, counts in per_day.items()]
    return _table(["day (UTC)", *langs], rows, numeric=range(1, 1 + len(langs)))


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


def _articles(articles: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        [
            f'<a href="/articles/{int(a["id"])}"{_dir(a["lang"])}>{esc(a["title"] or "(no title)")}</a>',
            esc(a["lang"]),
            esc(a["source"]),
            _short_time(a["published_at"]),
            _translations(a["translations"]),
        ]
        for a in articles
    ]
    return _table(["title", "lang", "source", "published (UTC)", "translations"], rows)


def dashboard(
    *,
    database: str,
    overview: Sequence[Mapping[str, Any]],
    per_day: Mapping[str, Mapping[str, int]],
    jobs: Sequence[Mapping[str, Any]],
    articles: Sequence[Mapping[str, Any]],
    filters: Mapping[str, str | None],
) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in filters.items() if v)
    content = (
        f"<h1>newsagg</h1><p>Database {esc(database)}; refreshes every 15 s. "
        '<a href="/metrics">metrics</a> · <a href="/api/jobs">jobs JSON</a> · <a href="/api/stats">stats JSON</a></p>'
        f"<h2>Sources</h2>{_sources(overview)}"
        f"<h2>Crawl jobs</h2>{_jobs(jobs)}"
        f"<h2>New articles per day and language</h2>{_per_day(per_day)}"
        f"<h2>Recent articles{esc(' (' + shown + ')') if shown else ''}</h2>{_articles(articles)}"
    )
    return _layout("newsagg", content, refresh=15)


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
