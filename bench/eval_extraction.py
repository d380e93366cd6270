"""Extraction quality on the real-world pages and the peer suites, against the specialised tools.

    .venv/bin/python bench/eval_extraction.py [--realworld DIR] [--json] [--raise-floors]
        [--peer-only | --no-peer] [--suite NAME ...] [--sample N] [--failures]

Prints two tables. First, per language of the real-world pages, body precision/recall/F1 (the AEB
method), snippet recall and cleanliness, title exact-match rate, publication-day accuracy and language
accuracy, for both systems measured in this run (bench/extraction_quality.py says exactly how each figure
is scored). ``--raise-floors`` lifts the floors in tests/crawler/quality_floors.json to today's
figures where they are higher; it never lowers one.

Second, per peer suite (trafilatura's, htmldate's and fundus's evaluation pages) and language, body
P/R/F1, title exact and date accuracy at the page's own day, crashes and drops, for newsagg, bare
trafilatura and htmldate measured in the same run (bench/peer_suites.py says how each is scored).
``--sample N`` scores every N-th page of each suite; ``--failures`` lists the pages newsagg misses.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench import peer_suites  # noqa: E402
from bench.extraction_quality import OURS, evaluate, load_pages, markdown_table, raised_floors  # noqa: E402

FLOORS = REPO_ROOT / "tests" / "crawler" / "quality_floors.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realworld", type=Path, default=REPO_ROOT.parent / "shared" / "realworld")
    parser.add_argument("--json", action="store_true", help="print figures and counts as JSON")
    parser.add_argument("--raise-floors", action="store_true", help=f"raise the floors in {FLOORS.name}")
    parser.add_argument("--no-peer", action="store_true", help="skip the peer suites")
    parser.add_argument("--peer-only", action="store_true", help="only the peer suites")
    parser.add_argument("--suite", action="append", choices=peer_suites.SUITES, help="peer suites to run (all)")
    parser.add_argument("--sample", type=int, default=1, help="score every N-th page of each peer suite")
    parser.add_argument("--failures", action="store_true", help="list the peer pages newsagg gets wrong")
    args = parser.parse_args()
    if not args.realworld.is_dir():
        parser.error(f"{args.realworld}: no such folder (give the real-world set with --realworld)")
    if not args.peer_only:
        _realworld(args)
    if not args.no_peer:
        _peers(args)
    return 0


def _peers(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    pages = [
        page
        for suite in args.suite or peer_suites.SUITES
        for page in peer_suites.load_suite(args.realworld, suite, sample=max(1, args.sample))
    ]
    report = peer_suites.evaluate(pages)
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({"peer_figures": report.figures()}, indent=2, sort_keys=True))
    else:
        print(f"\n{len(pages)} peer-suite pages (every {args.sample}. page) in {elapsed:.1f} s\n")
        print(peer_suites.markdown_table(report))
    if args.failures:
        print("\n" + "\n".join(peer_suites.failures(pages, report)))


def _realworld(args: argparse.Namespace) -> None:
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


if __name__ == "__main__":
    sys.exit(main())
