"""Extraction quality on the real-world pages: our pipeline against bare trafilatura, per language.

Shared by ``bench/eval_extraction.py`` (prints the table) and the quality gate test (pins floors).
Both systems see the same pages in the same run, so a figure is always read next to its baseline.

What is scored, per page that has the ground truth for it:

- body: the AEB method (scrapinghub/article-extraction-benchmark ``evaluate.py``): ``\\w+`` tokens
  joined into 4-token shingles, per-page true/false positives and negatives normalised so that
  long pages weigh no more than short ones; precision and recall are means over the pages and F1
  is their harmonic mean.
- snippets: share of annotator-chosen body snippets that the body contains, and share of snippets
  marked as boilerplate that it does not contain ("clean").
- title: exact match after whitespace is collapsed.
- date: the publication day. Ground truth with an offset names a day in that offset; a bare date
  (or a time without an offset) is the publisher's local day, so an instant must fall on it for some
  offset from UTC-12 to UTC+14. A day-only answer (trafilatura's) is compared as a day.
- language: the detected ISO 639-1 code equals the ground truth's, distractor languages included;
  "lang_lead" asks the same of the body's first LEAD_CHARS characters alone.

Our side runs as the pipeline does: ``extract_article`` in the time zone of the shipped source whose
edition claims the URL (UTC for other pages), then ``detect_language`` on title and body with the
page's declared language. The baseline is ``trafilatura.extract`` with default settings for the body,
``trafilatura.extract_metadata`` for title and date, and langdetect (seeded, no other help) on the
extracted text.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import mean
from typing import Any

import trafilatura
from langdetect import LangDetectException
from langdetect import detect as langdetect_detect

from crawler.extract.article import Extracted, extract_article
from crawler.extract.encoding import decode_html
from crawler.extract.language import detect_language
from settings.sources import Source, load_sources

OURS, BASELINE = "newsagg", "trafilatura"
ALL = "all"
# Figures in table order; each is "higher is better", so a floor is a minimum.
FIGURES = ("body_precision", "body_recall", "body_f1", "snippets", "clean", "title", "date", "lang", "lang_lead")
SHINGLE_TOKENS = 4
# A lead paragraph or feed teaser: where close languages (ru/uk/bg, ar/fa) are hardest to tell apart.
LEAD_CHARS = 100
# Offsets in use around the world, for ground truth that gives only the publisher's local day.
EARLIEST_OFFSET, LATEST_OFFSET = timedelta(hours=-12), timedelta(hours=14)
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    """One ground-truth record and its decoded HTML."""

    record: dict[str, Any]
    html: str

    @property
    def lang(self) -> str:
        return str(self.record["lang"])

    @property
    def url(self) -> str:
        return str(self.record["url"])


@dataclass(frozen=True)
class Prediction:
    title: str | None
    body: str
    published: datetime | date | None  # an aware instant, or a calendar day when that is all a system gives
    lang: str | None
    lead_lang: str | None = None


@dataclass
class Scores:
    """Per-page observations of one system in one language; ``figures`` turns them into rates."""

    body: list[tuple[float, float, float]] = field(default_factory=list)
    snippets: list[bool] = field(default_factory=list)
    clean: list[bool] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    lang: list[bool] = field(default_factory=list)
    lang_lead: list[bool] = field(default_factory=list)

    def add(self, page: Page, prediction: Prediction) -> None:
        record = page.record
        if record.get("body"):
            self.body.append(shingle_matching(str(record["body"]), prediction.body))
        self.snippets += [snippet in prediction.body for snippet in record.get("body_snippets") or []]
        self.clean += [snippet not in prediction.body for snippet in record.get("body_without") or []]
        if record.get("title"):
            self.title.append(squash(prediction.title) == squash(str(record["title"])))
        if record.get("date"):
            self.date.append(same_day(str(record["date"]), prediction.published))
        self.lang.append(prediction.lang == page.lang)
        self.lang_lead.append(prediction.lead_lang == page.lang)

    def merge(self, other: Scores) -> None:
        for name in ("body", "snippets", "clean", "title", "date", "lang", "lang_lead"):
            getattr(self, name).extend(getattr(other, name))

    def figures(self) -> dict[str, float]:
        """Rates in 0..1 for the figures this language has data for."""
        found: dict[str, float] = {}
        if self.body:
            precision, recall = aeb_precision_recall(self.body)
            found["body_precision"], found["body_recall"] = precision, recall
            found["body_f1"] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        for name in ("snippets", "clean", "title", "date", "lang", "lang_lead"):
            values: list[bool] = getattr(self, name)
            if values:
                found[name] = sum(values) / len(values)
        return found

    def counts(self) -> dict[str, int]:
        sizes = {"body": len(self.body), "snippets": len(self.snippets), "clean": len(self.clean)}
        return sizes | {name: len(getattr(self, name)) for name in ("title", "date", "lang", "lang_lead")}


@dataclass(frozen=True)
class Report:
    """Figures per system, per language (and ``all``), with the number of observations behind each."""

    figures: dict[str, dict[str, dict[str, float]]]  # system -> lang -> figure -> value
    counts: dict[str, dict[str, int]]  # lang -> observation kind -> count (same for both systems)

    @property
    def languages(self) -> list[str]:
        return [*sorted(lang for lang in self.counts if lang != ALL), ALL]


# --- scoring ------------------------------------------------------------------------------------------------


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # A text shorter than a shingle is one shorter shingle, as in AEB.
    starts = range(max(1, len(tokens) - SHINGLE_TOKENS + 1)) if tokens else range(0)
    return Counter(tuple(tokens[start : start + SHINGLE_TOKENS]) for start in starts)


def shingle_matching(expected: str, found: str) -> tuple[float, float, float]:
    """AEB's (tp, fp, fn) over 4-token shingles, normalised to sum to 1 so every page weighs the same."""
    truth, guess = _shingles(expected), _shingles(found)
    tp = float(sum((truth & guess).values()))
    fp = float(sum((guess - truth).values()))
    fn = float(sum((truth - guess).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def aeb_precision_recall(matches: Sequence[tuple[float, float, float]]) -> tuple[float, float]:
    """Mean precision over pages with a prediction, mean recall over pages with a truth (AEB's rules)."""

    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))

    precisions = [precision(*match) for match in matches if match[0] + match[1] > 0]
    recalls = [recall(*match) for match in matches if match[0] + match[2] > 0]
    return (mean(precisions) if precisions else 0.0, mean(recalls) if recalls else 0.0)


def same_day(truth: str, found: datetime | date | None) -> bool:
    """Whether ``found`` falls on the ground truth's publication day (the zone rule in the module doc)."""
    if found is None:
        return False
    expected = datetime.fromisoformat(truth.strip().replace("Z", "+00:00"))
    if not isinstance(found, datetime):
        return found == expected.date()
    if found.tzinfo is None:
        return found.date() == expected.date()
    if expected.tzinfo is not None:
        return found.astimezone(expected.tzinfo).date() == expected.date()
    midnight = datetime(expected.year, expected.month, expected.day, tzinfo=UTC)
    return midnight - LATEST_OFFSET <= found < midnight + timedelta(days=1) - EARLIEST_OFFSET


# --- the two systems ----------------------------------------------------------------------------------------


def ours(page: Page, sources: Iterable[Source] = ()) -> Prediction:
    """What the pipeline's extract and language steps make of the page."""
    return predict(extract(page, sources))


def extract(page: Page, sources: Iterable[Source] = ()) -> Extracted:
    """``extract_article`` as the pipeline runs it: in the time zone of the source whose edition takes the
    page (UTC when none does)."""
    timezone = "UTC"
    for source in sources:
        edition = source.edition_for_url(page.url)
        if edition is not None:
            timezone = source.timezone_of(edition)
            break
    return extract_article(page.html, page.url, timezone=timezone)


def predict(extracted: Extracted) -> Prediction:
    """Our answers for one extracted page: its fields and the language step's verdicts."""
    guess = detect_language("\n".join(filter(None, [extracted.title, extracted.body])), extracted.declared_lang)
    lead = detect_language(extracted.body[:LEAD_CHARS], extracted.declared_lang)
    return Prediction(extracted.title, extracted.body, extracted.published_at, guess.lang, lead.lang)


def baseline(page: Page) -> Prediction:
    """Bare trafilatura with its defaults, and langdetect alone on its text."""
    body = trafilatura.extract(page.html, url=page.url) or ""
    metadata = trafilatura.extract_metadata(page.html, default_url=page.url)
    day = _day(getattr(metadata, "date", None))
    title = getattr(metadata, "title", None)
    title = title if isinstance(title, str) else None
    return Prediction(title, body, day, _langdetect(body), _langdetect(body[:LEAD_CHARS]))


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def _langdetect(text: str) -> str | None:
    # crawler.extract.language seeds langdetect's global factory at import, which makes this deterministic.
    try:
        return str(langdetect_detect(text)) if text.strip() else None
    except LangDetectException:
        return None


# --- the run ------------------------------------------------------------------------------------------------


def load_pages(realworld: Path) -> list[Page]:
    """Every page with a ground-truth record under ``realworld`` (``*/groundtruth.json``)."""
    pages = []
    for path in sorted(realworld.glob("*/groundtruth.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            html, _ = decode_html(gzip.decompress((realworld / record["file"]).read_bytes()), None)
            pages.append(Page(record, html))
    return pages


def evaluate(
    pages: Sequence[Page],
    sources: Iterable[Source] | None = None,
    systems: Mapping[str, Callable[[Page], Prediction]] | None = None,
) -> Report:
    """Run both systems over ``pages`` and score them per language and over all pages."""
    known = list(load_sources().values()) if sources is None else list(sources)
    systems = systems or {OURS: lambda page: ours(page, known), BASELINE: baseline}
    scores: dict[str, dict[str, Scores]] = {name: {} for name in systems}
    for page in pages:
        for name, system in systems.items():
            scores[name].setdefault(page.lang, Scores()).add(page, system(page))
    figures: dict[str, dict[str, dict[str, float]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for name, by_lang in scores.items():
        total = Scores()
        for lang_scores in by_lang.values():
            total.merge(lang_scores)
        every = by_lang | {ALL: total}
        figures[name] = {lang: lang_scores.figures() for lang, lang_scores in every.items()}
        counts = {lang: lang_scores.counts() for lang, lang_scores in every.items()}
    return Report(figures, counts)


# --- output -------------------------------------------------------------------------------------------------

_HEADERS = {
    "body_precision": "body P",
    "body_recall": "body R",
    "body_f1": "body F1",
    "snippets": "snippets",
    "clean": "clean",
    "title": "title",
    "date": "date",
    "lang": "lang",
    "lang_lead": "lang (lead)",
}
_COUNT_OF = {"body_precision": "body", "body_recall": "body", "body_f1": "body"}


def markdown_table(report: Report) -> str:
    """The figures as a Markdown table, one row per language and system, counts in the header cells' rows."""
    lines = [
        "| lang | system | " + " | ".join(_HEADERS[name] for name in FIGURES) + " |",
        "|---|---|" + "---:|" * len(FIGURES),
    ]
    for lang in report.languages:
        counts = report.counts[lang]
        cells = [
            f"n={counts[_COUNT_OF.get(name, name)]}" if counts[_COUNT_OF.get(name, name)] else "" for name in FIGURES
        ]
        lines.append(f"| {lang} | n | " + " | ".join(cells) + " |")
        for system in report.figures:
            values = report.figures[system].get(lang, {})
            cells = [f"{values[name]:.3f}" if name in values else "–" for name in FIGURES]
            lines.append(f"| {lang} | {system} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def floor_down(value: float, places: int = 3) -> float:
    """``value`` rounded down, so a floor written from a measurement never exceeds it."""
    scale: int = 10**places
    return math.floor(value * scale + 1e-9) / scale


def raised_floors(current: Mapping[str, Mapping[str, float]], report: Report) -> dict[str, dict[str, float]]:
    """Floors for our figures: each the higher of its current value and today's measurement."""
    floors: dict[str, dict[str, float]] = {}
    for lang, values in report.figures[OURS].items():
        old = current.get(lang, {})
        floors[lang] = {name: max(old.get(name, 0.0), floor_down(values[name])) for name in FIGURES if name in values}
    return floors
