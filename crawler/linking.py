"""Translation evidence: how much each kind of evidence is trusted. Pure."""

from __future__ import annotations

# Publisher-declared evidence, strongest first (DESIGN §8); a conflict keeps the higher score.
METHOD_SCORES: dict[str, float] = {
    "hreflang": 1.0,
    "og_locale": 0.95,
    "switcher": 0.9,
    "url_pattern": 0.8,
}


def method_score(method: str) -> float:
    return METHOD_SCORES.get(method, 0.5)
