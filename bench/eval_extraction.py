"""Extraction quality on the real-world pages: newsagg's pipeline against bare trafilatura.

    .venv/bin/python bench/eval_extraction.py [--realworld DIR] [--json] [--raise-floors]

Prints, per language, body precision/recall/F1 (the AEB method), snippet recall and cleanliness,
title exact-match rate, publication-day accuracy and language accuracy, for both systems measured in
this run (bench/extraction_quality.py says exactly how each figure is scored). ``--raise-floors`` lifts the
floors in tests/crawler/quality_floors.json to today's figures where they are higher; it never
lowers one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.extraction_quality import OURS, evaluate, load_pages, markdown_table, raised_floors  # noqa: E402

FLOORS = REPO_ROOT / "tests" / "crawler" / "quality_floors.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realworld", type=Path, default=REPO_ROOT.parent / "shared" / "realworld")
    parser.add_argument("--json", action="store_true", help="print figures and counts as JSON")
    parser.add_argument("--raise-floors", action="store_true", help=f"raise the floors in {FLOORS.name}")
    args = parser.parse_args()
    if not args.realworld.is_dir():
        parser.error(f"{args.realworld}: no such folder (give the real-world set with --realworld)")

    started = time.perf_counter()
    pages = load_pages(args.realworld)
    report = evaluate(pages)
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({"figures": report.figures, "counts": report.counts}, indent=2, sort_keys=True))
    else:
        print(f"{len(pages)} pages from {args.realworld} in {elapsed:.1f} s\n")
        print(markdown_table(report))
        ours, base = report.figures[OURS]["all"], report.figures["trafilatura"]["all"]
        print("\nall pages, newsagg / trafilatura:")
        print("  " + ", ".join(f"{name} {ours[name] / base[name]:.2f}x" for name in ours if base.get(name)))
    if args.raise_floors:
        current = json.loads(FLOORS.read_text(encoding="utf-8")) if FLOORS.exists() else {}
        FLOORS.write_text(json.dumps(raised_floors(current, report), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nfloors written to {FLOORS.relative_to(REPO_ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
