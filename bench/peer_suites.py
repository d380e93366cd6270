"""Extraction quality on three public evaluation suites, next to the specialised tools in the same run.

The suites sit in ``../shared/realworld/peer_*`` (each with a ``gold.json``):

- ``peer_traf``: trafilatura's evaluation set. Body scored the way trafilatura scores itself: text
  chunks that must (``with``) and must not (``without``) appear in the body, as whitespace-normalised
  substrings; tp/fp/fn summed over the pages, then precision, recall and F1.
- ``peer_htmldate``: htmldate's evaluation sets; the gold is the publication day as the page gives it.
- ``peer_fundus``: fundus's parser fixtures. Body scored with the AEB method (4-token shingles, means
  over pages: bench/extraction_quality.py), title exact after whitespace is collapsed.

Dates are compared at the page's own day: the gold's calendar day (in the offset it states, if any)
against the day the system reports in the page's own terms (newsagg: ``published_local``; htmldate
and trafilatura report a day). The systems: newsagg's extraction as the pipeline runs it, bare
trafilatura (its evaluation settings: no comments, tables kept) and htmldate's
``find_date(original_date=True)`` (dates only). A crash counts as an empty answer; a drop is a page
for which a system gives no body (newsagg: a page it would not store as an article).
Pages are grouped by the language newsagg detects, so every system is scored on the same groups.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import htmldate
import trafilatura

from bench.extraction_quality import aeb_precision_recall, shingle_matching, squash
from crawler.extract.article import Extracted, extract_article
from crawler.extract.encoding import decode_html
from crawler.extract.language import detect_language

SUITES = ("peer_traf", "peer_htmldate", "peer_fundus")
NEWSAGG, TRAFILATURA, HTMLDATE = "newsagg", "trafilatura", "htmldate"
SYSTEMS = (NEWSAGG, TRAFILATURA, HTMLDATE)
ALL = "all"
# Languages with fewer pages in a suite are reported together: a rate over three pages says little.
MIN_LANG_PAGES = 10
OTHER = "other"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class PeerPage:
    suite: str
    file: str
    url: str
    gold: Any
    html: str


@dataclass(frozen=True)
class Answer:
    """What one system says about one page; ``body`` None when the system gives no body at all."""

    title: str | None = None
    body: str | None = None
    day: date | None = None
    crashed: bool = False
    dropped: bool = False
    lang: str | None = None


@dataclass
class Tally:
    """Observations of one system on one group of pages."""

    pages: int = 0
    chunks: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # tp, fp, fn, tn (trafilatura's way)
    shingles: list[tuple[float, float, float]] = field(default_factory=list)  # AEB per page
    title: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    crashes: int = 0
    drops: int = 0

    def add(self, page: PeerPage, answer: Answer, scores_body: bool) -> None:
        self.pages += 1
        self.crashes += answer.crashed
        self.drops += answer.dropped
        gold = page.gold
        if page.suite == "peer_htmldate":
            self.date.append(answer.day is not None and answer.day == gold_day(gold))
            return
        if scores_body:
            if page.suite == "peer_traf":
                for index, count in enumerate(chunk_counts(gold, answer.body)):
                    self.chunks[index] += count
            else:
                self.shingles.append(shingle_matching(str(gold["body_full"]), answer.body or ""))
            if gold.get("title"):
                self.title.append(squash(answer.title) == squash(str(gold["title"])))
        if gold.get("date"):
            self.date.append(answer.day is not None and answer.day == gold_day(gold["date"]))

    def merge(self, other: Tally) -> None:
        self.pages += other.pages
        self.chunks = [mine + theirs for mine, theirs in zip(self.chunks, other.chunks, strict=True)]
        self.shingles += other.shingles
        self.title += other.title
        self.date += other.date
        self.crashes += other.crashes
        self.drops += other.drops

    def figures(self) -> dict[str, float]:
        found: dict[str, float] = {}
        tp, fp, fn, _ = self.chunks
        if tp + fp + fn:
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            found |= {"body_precision": precision, "body_recall": recall, "body_f1": _f1(precision, recall)}
        elif self.shingles:
            precision, recall = aeb_precision_recall(self.shingles)
            found |= {"body_precision": precision, "body_recall": recall, "body_f1": _f1(precision, recall)}
        if self.title:
            found["title"] = sum(self.title) / len(self.title)
        if self.date:
            found["date"] = sum(self.date) / len(self.date)
        return found


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _norm(text: str) -> str:
    return " ".join(text.split())


def chunk_counts(gold: Mapping[str, Any], body: str | None) -> tuple[int, int, int, int]:
    """trafilatura's per-page (tp, fp, fn, tn): whitespace-normalised substrings; no body finds nothing."""
    found = _norm(body) if body is not None else None
    withs, withouts = list(gold.get("with") or []), list(gold.get("without") or [])
    tp = sum(1 for chunk in withs if found is not None and _norm(chunk) in found)
    fp = sum(1 for chunk in withouts if found is not None and _norm(chunk) in found)
    return tp, fp, len(withs) - tp, len(withouts) - fp


def gold_day(value: Any) -> date | None:
    """The calendar day a gold date names, in the offset it states (its first YYYY-MM-DD)."""
    match = _DAY.match(str(value).strip()) if value else None
    try:
        return date.fromisoformat(match.group()) if match else None
    except ValueError:
        return None


# --- the systems --------------------------------------------------------------------------------------------


def page_day(extracted: Extracted) -> date | None:
    """The publication day in the page's own terms: its local date, else the UTC instant's day."""
    local = getattr(extracted, "published_local", None)
    if isinstance(local, str):
        return gold_day(local)
    return extracted.published_at.date() if extracted.published_at is not None else None


def newsagg(page: PeerPage) -> Answer:
    extracted = extract_article(page.html, page.url)
    text = "\n".join(filter(None, [extracted.title, extracted.body]))
    lang = detect_language(text, extracted.declared_lang).lang
    kept = extracted.is_article and bool(extracted.body)
    return Answer(extracted.title, extracted.body if kept else "", page_day(extracted), dropped=not kept, lang=lang)


def bare_trafilatura(page: PeerPage) -> Answer:
    document = trafilatura.bare_extraction(
        page.html, url=page.url, include_comments=False, include_tables=True, with_metadata=True
    )
    text = getattr(document, "text", None) if document is not None else None
    title = getattr(document, "title", None) if document is not None else None
    day = getattr(document, "date", None) if document is not None else None
    body = text if isinstance(text, str) else None
    return Answer(title if isinstance(title, str) else None, body, gold_day(day), dropped=not body)


def bare_htmldate(page: PeerPage) -> Answer:
    return Answer(day=gold_day(htmldate.find_date(page.html, url=_real_url(page.url), original_date=True)))


def _real_url(url: str) -> str | None:
    return url if url.startswith(("http://", "https://")) else None


RUNNERS: dict[str, Callable[[PeerPage], Answer]] = {
    NEWSAGG: newsagg,
    TRAFILATURA: bare_trafilatura,
    HTMLDATE: bare_htmldate,
}


def run(runner: Callable[[PeerPage], Answer], page: PeerPage) -> Answer:
    try:
        return runner(page)
    except Exception:  # a crash is scored as an empty answer, as trafilatura's own evaluation does
        return Answer(crashed=True, dropped=True)


# --- loading and the run ------------------------------------------------------------------------------------


def load_suite(realworld: Path, suite: str, *, sample: int = 1) -> list[PeerPage]:
    """The pages of one suite; ``sample`` > 1 keeps every sample-th record (a quick, fixed subset)."""
    records = json.loads((realworld / suite / "gold.json").read_text(encoding="utf-8"))
    pages = []
    for record in records[::sample]:
        raw = gzip.decompress((realworld / record["file"]).read_bytes())
        html, _ = decode_html(raw, None)
        pages.append(PeerPage(suite, record["file"], str(record["url"]), record["gold"], html))
    return pages


@dataclass
class PeerReport:
    """Tallies per suite, language group (and ``all``) and system, and each page's answers."""

    tallies: dict[str, dict[str, dict[str, Tally]]]  # suite -> lang -> system -> tally
    answers: dict[str, dict[str, Answer]]  # file -> system -> answer

    def figures(self) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
        return {
            suite: {lang: {name: tally.figures() for name, tally in systems.items()} for lang, systems in langs.items()}
            for suite, langs in self.tallies.items()
        }


def evaluate(pages: Sequence[PeerPage], systems: Iterable[str] = SYSTEMS) -> PeerReport:
    names = list(systems)
    answers: dict[str, dict[str, Answer]] = {}
    for page in pages:
        answers[page.file] = {name: run(RUNNERS[name], page) for name in names}
    return PeerReport(_tally(pages, answers, names), answers)


def _tally(pages: Sequence[PeerPage], answers: Mapping[str, Mapping[str, Answer]], names: list[str]) -> Any:
    tallies: dict[str, dict[str, dict[str, Tally]]] = {}
    for suite in dict.fromkeys(page.suite for page in pages):
        members = [page for page in pages if page.suite == suite]
        langs = [answers[page.file].get(NEWSAGG, Answer()).lang or "und" for page in members]
        sizes = {lang: langs.count(lang) for lang in langs}
        by_lang: dict[str, dict[str, Tally]] = {ALL: {name: Tally() for name in names}}
        for page, lang in zip(members, langs, strict=True):
            group = lang if sizes[lang] >= MIN_LANG_PAGES else OTHER
            for name in names:
                tally = Tally()
                tally.add(page, answers[page.file][name], scores_body=name != HTMLDATE)
                by_lang.setdefault(group, {}).setdefault(name, Tally()).merge(tally)
                by_lang[ALL][name].merge(tally)
        tallies[suite] = dict(sorted(by_lang.items(), key=lambda item: (_rank(item[0]), item[0])))
    return tallies


def _rank(group: str) -> int:
    """Languages first, then the small ones together, then all pages."""
    return {OTHER: 1, ALL: 2}.get(group, 0)


# --- output -------------------------------------------------------------------------------------------------

COLUMNS = ("body_precision", "body_recall", "body_f1", "title", "date")
_HEADERS = {"body_precision": "body P", "body_recall": "body R", "body_f1": "body F1", "title": "title", "date": "date"}


def markdown_table(report: PeerReport) -> str:
    header = "| suite | lang | system | pages | " + " | ".join(_HEADERS[name] for name in COLUMNS)
    lines = [header + " | crashes | drops |", "|---|---|---|---:|" + "---:|" * (len(COLUMNS) + 2)]
    for suite, langs in report.tallies.items():
        for lang, systems in langs.items():
            for name, tally in systems.items():
                values = tally.figures()
                cells = [f"{values[column]:.3f}" if column in values else "–" for column in COLUMNS]
                row = [suite, lang, name, str(tally.pages), *cells, str(tally.crashes), str(tally.drops)]
                lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def failures(pages: Sequence[PeerPage], report: PeerReport) -> list[str]:
    """One line per page where newsagg misses what a specialised tool gets right (date) or loses body."""
    lines = []
    for page in pages:
        answers = report.answers[page.file]
        ours = answers.get(NEWSAGG)
        if ours is None:
            continue
        truth = page.gold if page.suite == "peer_htmldate" else page.gold.get("date")
        if truth and ours.day != gold_day(truth):
            others = {name: str(answer.day) for name, answer in answers.items() if name != NEWSAGG}
            lines.append(f"date {page.file} gold={gold_day(truth)} ours={ours.day} {others} {page.url}")
        if page.suite == "peer_traf":
            _, _, missed, _ = chunk_counts(page.gold, ours.body)
            _, _, base_missed, _ = chunk_counts(page.gold, answers.get(TRAFILATURA, Answer()).body)
            if missed > base_missed:
                lines.append(f"body {page.file} missed {missed} chunks, trafilatura {base_missed}")
        elif page.suite == "peer_fundus":
            _, _, ours_fn = shingle_matching(str(page.gold["body_full"]), ours.body or "")
            _, _, base_fn = shingle_matching(str(page.gold["body_full"]), answers.get(TRAFILATURA, Answer()).body or "")
            if ours_fn > base_fn + 0.05:
                lines.append(f"body {page.file} missed {ours_fn:.2f} of shingles, trafilatura {base_fn:.2f}")
    return lines
