"""Precision and recall of content linking on labelled pairs, at the default threshold and around it.

    .venv/bin/python bench/eval_linking.py [--realworld DIR] [--json] [--no-day]

- SemEval-2022 Task 8 German-English pairs (real cross-lingual news; Overall 1-1.5 = same story,
  3.5-4 = unrelated): the figures the threshold was chosen on, pinned by
  tests/crawler/test_linking_semeval.py. The same-language English and Arabic pairs of that set
  are shown for reference (publisher boilerplate, which the link step discounts against the
  candidate pool, is not discounted here).
- The demo site's stories (crawler/demo/stories.json): every pair of versions of one story in two
  languages is a positive, every cross-language pair of different stories (decoys included) a
  negative.
- A real news day (bench/translation_day.py): every article of ``translation_pairs/pairs.jsonl``
  as a page of one trilingual source that declares nothing, published within 20 hours, through the
  crawl's item pipeline and ``newsagg link``; whole and abridged.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.day_scores import rows as day_rows  # noqa: E402
from bench.day_scores import run_day  # noqa: E402
from bench.linking_quality import Metrics, ScoredPair, metrics, score_pairs  # noqa: E402
from crawler.demo.data import load_stories, parse_stories  # noqa: E402
from crawler.linking.evidence import DEFAULT_CONTENT_THRESHOLD, content_score  # noqa: E402
from crawler.linking.features import extract_features  # noqa: E402

SWEEP = (0.10, 0.15, 0.18, 0.20, DEFAULT_CONTENT_THRESHOLD, 0.25, 0.30, 0.40)


def demo_pairs() -> list[ScoredPair]:
    stories = parse_stories(load_stories())
    versions = {
        (story.id, lang): extract_features(v.title, "\n\n".join(v.paragraphs), description=v.description)
        for story in stories.stories
        for lang, v in story.versions.items()
    }
    pairs = []
    for a, b in itertools.combinations(sorted(versions), 2):
        if a[1] != b[1]:
            score = content_score(versions[a], versions[b]).score
            pairs.append(ScoredPair(f"{a[0]}{a[1]}-{b[0]}{b[1]}", a[0] == b[0], score))
    return pairs


def row(name: str, result: Metrics, pairs: list[ScoredPair]) -> dict[str, object]:
    negatives = [p.score for p in pairs if not p.same_story]
    positives = [p.score for p in pairs if p.same_story]
    return {
        "set": name,
        "threshold": result.threshold,
        "positives": result.positives,
        "negatives": result.negatives,
        "true_positives": result.true_positives,
        "false_positives": result.false_positives,
        "precision": round(result.precision, 3),
        "recall": round(result.recall, 3),
        "highest_negative": round(max(negatives, default=0.0), 3),
        "lowest_positive": round(min(positives, default=0.0), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realworld", type=Path, default=REPO_ROOT.parent / "shared" / "realworld")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-day", action="store_true", help="skip the crawled news day (the slow part)")
    args = parser.parse_args()
    path = args.realworld / "semeval2022_hfl" / "pairs.json"
    if not path.is_file():
        parser.error(f"{path}: not found (give the real-world set with --realworld)")

    sets = {
        "semeval de-en": score_pairs(path, ("de", "en")),
        "semeval en-en (reference)": score_pairs(path, ("en", "en")),
        "semeval ar-ar (reference)": score_pairs(path, ("ar", "ar")),
        "demo stories ru/en/ar": demo_pairs(),
    }
    at_default = [row(name, metrics(pairs, DEFAULT_CONTENT_THRESHOLD), pairs) for name, pairs in sets.items()]
    sweep = [row("semeval de-en", metrics(sets["semeval de-en"], t), sets["semeval de-en"]) for t in SWEEP]
    days = {}
    pairs_path = args.realworld / "translation_pairs" / "pairs.jsonl"
    if not args.no_day and pairs_path.is_file():
        with tempfile.TemporaryDirectory() as folder:
            for abridged in (False, True):
                crawled, linked = run_day(pairs_path, Path(folder), abridged=abridged)
                name = "abridged" if abridged else "whole"
                days[f"{name}, after crawl"] = crawled
                days[f"{name}, after newsagg link"] = linked
    if args.json:
        print(
            json.dumps(
                {
                    "default_threshold": DEFAULT_CONTENT_THRESHOLD,
                    "sets": at_default,
                    "sweep": sweep,
                    "day": {name: score.as_dict() for name, score in days.items()},
                }
            )
        )
        return 0
    print(f"content linking at the default threshold {DEFAULT_CONTENT_THRESHOLD}")
    header = ("pos", "neg", "TP", "FP", "precision", "recall", "max neg", "min pos")
    print(f"{'set':28} " + " ".join(f"{h:>9}" for h in header))
    for r in at_default:
        print(
            f"{r['set']:28} {r['positives']:>9} {r['negatives']:>9} {r['true_positives']:>9} "
            f"{r['false_positives']:>9} {r['precision']:>9} {r['recall']:>9} {r['highest_negative']:>9} "
            f"{r['lowest_positive']:>9}"
        )
    print("\nsemeval de-en by threshold")
    print(" ".join(f"{h:>9}" for h in ("threshold", "TP", "FP", "precision", "recall")))
    for r in sweep:
        values = (r["threshold"], r["true_positives"], r["false_positives"], r["precision"], r["recall"])
        print(" ".join(f"{v:>9}" for v in values))
    if days:
        print("\none news day, crawled and linked (translation_pairs)")
        header = ("pair", "labels", "found", "recall", "linked", "correct", "precision")
        print(f"{'run':26} {header[0]:6} " + " ".join(f"{h:>6}" for h in header[1:]))
        for name, score in days.items():
            print("\n".join(day_rows(name, score)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
