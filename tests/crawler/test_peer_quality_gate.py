"""Extraction quality gate on a fixed sample of the peer suites: floors next to the specialised tools.

Every SAMPLE-th page of trafilatura's, htmldate's and fundus's evaluation pages (bench/peer_suites.py
says how each figure is scored) runs through newsagg, bare trafilatura and htmldate once per session.
Each suite's figures must hold the floors in peer_floors.json, and newsagg's date accuracy must be
at or above htmldate's measured in the same run. The full suites run in bench/eval_extraction.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.peer_suites import ALL, HTMLDATE, NEWSAGG, SUITES, TRAFILATURA, PeerReport, evaluate, load_suite

SAMPLE = 12
FLOORS: dict[str, dict[str, float]] = json.loads(Path(__file__).with_name("peer_floors.json").read_text("utf-8"))
PINNED = [(suite, figure) for suite, figures in sorted(FLOORS.items()) for figure in sorted(figures)]


@pytest.fixture(scope="session")
def peer_report(realworld: Path) -> PeerReport:
    pages = [page for suite in SUITES for page in load_suite(realworld, suite, sample=SAMPLE)]
    return evaluate(pages)


def _figures(report: PeerReport, suite: str, system: str) -> dict[str, float]:
    return report.tallies[suite][ALL][system].figures()


@pytest.mark.parametrize(("suite", "figure"), PINNED, ids=[f"{suite}-{figure}" for suite, figure in PINNED])
def test_figure_holds_its_floor(peer_report: PeerReport, suite: str, figure: str) -> None:
    assert _figures(peer_report, suite, NEWSAGG)[figure] >= FLOORS[suite][figure]


@pytest.mark.parametrize("suite", SUITES)
def test_dates_are_at_least_as_good_as_htmldate(peer_report: PeerReport, suite: str) -> None:
    assert _figures(peer_report, suite, NEWSAGG)["date"] >= _figures(peer_report, suite, HTMLDATE)["date"]


@pytest.mark.parametrize("suite", ["peer_traf", "peer_fundus"])
def test_titles_beat_bare_trafilatura(peer_report: PeerReport, suite: str) -> None:
    assert _figures(peer_report, suite, NEWSAGG)["title"] > _figures(peer_report, suite, TRAFILATURA)["title"]


def test_no_page_crashes_the_extraction(peer_report: PeerReport) -> None:
    assert all(tallies[ALL][NEWSAGG].crashes == 0 for tallies in peer_report.tallies.values())


@pytest.mark.parametrize("suite", ["peer_traf", "peer_fundus"])
def test_body_f1_is_at_least_bare_trafilatura(peer_report: PeerReport, suite: str) -> None:
    ours, theirs = _figures(peer_report, suite, NEWSAGG), _figures(peer_report, suite, TRAFILATURA)
    assert ours["body_f1"] >= theirs["body_f1"]


# Cleaner bodies may cost a little recall, never much: the body keeps the article's lead and ending.
RECALL_MARGIN = 0.01


@pytest.mark.parametrize("suite", ["peer_traf", "peer_fundus"])
def test_body_recall_is_within_a_point_of_bare_trafilatura(peer_report: PeerReport, suite: str) -> None:
    ours, theirs = _figures(peer_report, suite, NEWSAGG), _figures(peer_report, suite, TRAFILATURA)
    assert ours["body_recall"] >= theirs["body_recall"] - RECALL_MARGIN
