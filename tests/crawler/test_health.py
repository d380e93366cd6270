"""The health rules on their own: what each one measures, when it fires, and how it is switched off."""

from __future__ import annotations

import pytest

from crawler.ops.health import Measures, evaluate, measure, reason, report
from settings.sources import Health

HEALTHY = Measures(items=90, answered=100, errors=4, checked=90, baseline=[90, 88, 91])


def rules(measures: Measures, **health: object) -> list[str]:
    return [breach.rule for breach in evaluate(Health.model_validate(health), measures)]


def test_a_healthy_run_breaks_no_rule():
    assert rules(HEALTHY) == []


def test_nothing_stored_fires_when_no_article_was_found():
    empty = Measures(items=0, answered=9, errors=0)
    assert rules(empty) == ["nothing_stored"]
    assert rules(empty, min_items=0) == []
    # Articles skipped because they are stored already were found: a quiet run, not a broken one.
    assert rules(Measures(items=0, answered=9, errors=0, known=40)) == []
    # A feed that answered "not modified" hides its articles: the count rules cannot judge the run.
    assert rules(Measures(items=0, answered=9, errors=0, not_modified=1)) == []


def test_error_rate_counts_failed_requests_against_answered_ones():
    failing = Measures(items=50, answered=60, errors=40, checked=50)
    assert failing.error_rate == pytest.approx(0.4)
    assert rules(failing) == ["error_rate"]
    assert rules(failing, max_error_rate=0.5) == []
    assert rules(failing, max_error_rate=1) == []
    assert Measures(items=0, answered=0, errors=0).error_rate == 0.0
    # Too few requests to judge: 5 broken links out of 15 requests is no outage.
    assert rules(Measures(items=0, answered=10, errors=5, known=40)) == []
    assert rules(Measures(items=0, answered=10, errors=5, known=40), min_requests=10) == ["error_rate"]


def test_missing_fields_respects_the_tolerance_and_the_chosen_fields():
    untitled = Measures(items=20, answered=25, errors=0, checked=20, missing={"title": 3, "tags": 20})
    assert rules(untitled) == ["missing_fields"]  # 15% > 10%
    assert rules(untitled, missing_tolerance=0.2) == []
    assert rules(untitled, required_fields=["published_at"]) == []
    (breach,) = evaluate(Health(), untitled)
    assert breach.message == "title missing on 3 of 20 items (15%; tolerance 10%)"


def test_below_baseline_compares_with_the_median_of_recent_runs():
    thin = Measures(items=10, answered=12, errors=0, checked=10, baseline=[90, 12, 88, 91, 95, 3])
    assert rules(thin) == ["below_baseline"]  # median of the last 5 is 90; 10 < 22.5
    assert rules(thin, baseline_ratio=0.1) == []
    assert rules(thin, baseline_ratio=0) == []
    # Too few earlier runs: the rule waits.
    assert rules(Measures(items=10, answered=12, errors=0, checked=10, baseline=[90, 88])) == []
    assert rules(Measures(items=10, answered=12, errors=0, checked=10, baseline=[90]), min_baseline_runs=1) == [
        "below_baseline"
    ]


def test_every_broken_rule_is_named_in_the_reason_and_the_report():
    broken = Measures(items=0, answered=5, errors=95, baseline=[90, 90, 90])
    breaches = evaluate(Health(), broken)
    assert [b.rule for b in breaches] == ["nothing_stored", "error_rate", "below_baseline"]
    text = reason(breaches)
    assert text.startswith("nothing_stored: found 0 articles") and "; error_rate: 95% of requests failed" in text
    assert report(broken, breaches)["broken"] == ["nothing_stored", "error_rate", "below_baseline"]
    assert report(broken, breaches)["measures"]["error_rate"] == 0.95


def test_measures_come_from_the_crawl_stats_and_the_job_figures():
    stats = {
        "downloader/response_status_count/200": 80,
        "downloader/response_status_count/304": 2,
        "downloader/response_status_count/500": 6,  # retried then failed: counted once, as an error
        "downloader/response_status_count/404": 1,
        "newsagg/skipped/known": 7,
        "newsagg/skipped/claimed": 1,
        "newsagg/health/items": 60,
        "newsagg/health/missing/title": 2,
        "newsagg/health/missing/published_at": 0,
    }
    figures = {"stored": 50, "updated": 3, "unchanged": 5, "duplicates": 2, "errors": {"http_500": 3, "http_404": 1}}
    measures = measure(stats, figures, baseline=[70])
    assert (measures.items, measures.known, measures.found) == (60, 8, 68)
    assert (measures.answered, measures.errors) == (82, 4)
    assert measures.checked == 60 and dict(measures.missing) == {"title": 2}
    assert list(measures.baseline) == [70] and measures.complete
