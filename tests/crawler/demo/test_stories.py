"""The demo site's content file: its shape, and the properties the crawl's ground truth relies on.

The demo tests compare a crawl against truth computed from stories.json, so a story that is too
short for language detection, a decoy that shares no numbers with its target or an "edited" wire
copy that is no longer a near duplicate would make those tests check the wrong thing.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from langdetect import DetectorFactory, detect_langs

STORIES_JSON = Path(__file__).resolve().parents[3] / "crawler" / "demo" / "stories.json"

LANGS = ("ru", "en", "ar")
SECTIONS = {"politics", "economy", "world", "science", "culture", "sport"}
LINKING = {"hreflang", "switcher", "url_id", "content", "single"}
STORY_IDS = range(101, 180)  # 180-199 belong to the special pages
SPECIAL_IDS = range(180, 200)
WIRE_IDS = range(501, 600)
EDITS = ("title", "add_paragraph", "drop_paragraph", "append_boilerplate")
FIRST_DAY = datetime.fromisoformat("2026-03-01T00:00:00+03:00")
LAST_DAY = datetime.fromisoformat("2026-03-21T00:00:00+03:00")  # exclusive
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SCRIPTS = {"ru": re.compile(r"[а-яё]", re.I), "ar": re.compile(r"[\u0600-\u06ff]"), "en": re.compile(r"[a-z]", re.I)}
LETTER = re.compile(r"[^\W\d_]")
MIN_LINKING = {"hreflang": 10, "switcher": 6, "url_id": 6, "content": 6, "single": 3}


@cache
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(STORIES_JSON.read_text(encoding="utf-8"))
    return loaded


def stories() -> list[dict[str, Any]]:
    return list(data()["stories"])


def story(story_id: int) -> dict[str, Any]:
    return next(s for s in stories() if s["id"] == story_id)


def versions() -> list[tuple[str, dict[str, Any]]]:
    return [(f"story {s['id']} {lang}", v) for s in stories() for lang, v in s["versions"].items()]


def words(paragraphs: list[str]) -> int:
    return len(" ".join(paragraphs).split())


def numbers(text: str) -> set[int]:
    # \d also matches Arabic-Indic digits, and int() folds them, so the scripts compare equal
    return {int(n) for n in re.findall(r"\d+", text)}


def story_numbers(version: dict[str, Any]) -> set[int]:
    return numbers(" ".join([version["title"], *version["paragraphs"]]))


def shingles(paragraphs: list[str], size: int = 3) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", " ".join(paragraphs).lower())
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def url_id(s: dict[str, Any], lang: str) -> int:
    return int(s.get("ids", {}).get(lang, s["id"]))


def test_top_level_keys() -> None:
    assert set(data()) == {"stories", "wire", "updates", "wrong_language"}


def test_story_ids_unique_and_outside_the_special_range() -> None:
    ids = [s["id"] for s in stories()]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if i not in STORY_IDS] == []


def test_story_fields() -> None:
    for s in stories():
        assert set(s) <= {"id", "ids", "slug", "section", "published", "linking", "decoy_of", "versions"}, s["id"]
        assert SLUG.match(s["slug"]) and s["slug"].isascii(), s["id"]
        assert s["section"] in SECTIONS, s["id"]
        assert s["linking"] in LINKING, s["id"]
        published = datetime.fromisoformat(s["published"])
        assert published.utcoffset() == timedelta(hours=3), s["id"]
        assert FIRST_DAY <= published < LAST_DAY, s["id"]
        assert s["versions"] and set(s["versions"]) <= set(LANGS), s["id"]
        assert (len(s["versions"]) == 1) == (s["linking"] == "single"), s["id"]


def test_every_version_has_the_expected_shape() -> None:
    for where, v in versions():
        assert set(v) == {"title", "description", "author", "paragraphs"}, where
        assert all(isinstance(v[key], str) and v[key].strip() for key in ("title", "description", "author")), where
        assert 3 <= len(v["paragraphs"]) <= 5, where
        assert all(isinstance(p, str) and p.strip() for p in v["paragraphs"]), where
        assert 90 <= words(v["paragraphs"]) <= 220, (where, words(v["paragraphs"]))
        assert 5 <= len(v["title"].split()) <= 14, where


def test_versions_are_written_in_their_script() -> None:
    for s in stories():
        for lang, v in s["versions"].items():
            letters = LETTER.findall(" ".join([v["title"], v["author"], *v["paragraphs"]]))
            share = sum(1 for ch in letters if SCRIPTS[lang].match(ch)) / len(letters)
            assert share > 0.85, (s["id"], lang, share)


def test_language_detection_is_certain() -> None:
    DetectorFactory.seed = 0
    for s in stories():
        for lang, v in s["versions"].items():
            best = detect_langs("\n\n".join(v["paragraphs"]))[0]
            assert best.lang == lang and best.prob > 0.95, (s["id"], lang, best)


def test_translations_share_their_numbers() -> None:
    for s in stories():
        for (a, va), (b, vb) in combinations(s["versions"].items(), 2):
            shared = story_numbers(va) & story_numbers(vb)
            assert len(shared) >= 5, (s["id"], a, b, shared)


def test_linking_distribution() -> None:
    regular = [s for s in stories() if s.get("decoy_of") is None]
    counts = {mode: sum(1 for s in regular if s["linking"] == mode) for mode in LINKING}
    assert all(counts[mode] >= n for mode, n in MIN_LINKING.items()), counts
    assert len(stories()) >= 34
    trilingual = sum(1 for s in stories() if len(s["versions"]) == 3)
    assert trilingual > len(stories()) / 2


def test_url_ids_never_collide() -> None:
    owner: dict[int, int] = {}
    for s in stories():
        for lang in s["versions"]:
            n = url_id(s, lang)
            assert owner.setdefault(n, s["id"]) == s["id"], (n, s["id"], owner[n])
            assert n not in SPECIAL_IDS and n not in WIRE_IDS, (s["id"], n)
            assert n == s["id"] or n not in range(100, 200), (s["id"], n)


def test_content_linked_stories_have_their_own_id_per_language() -> None:
    for s in stories():
        if s["linking"] == "content":
            assert set(s["ids"]) == set(s["versions"]), s["id"]
            assert len(set(s["ids"].values())) == len(s["ids"]) >= 2, s["id"]
        else:
            assert "ids" not in s, s["id"]


def test_decoys_look_like_their_target_but_are_another_event() -> None:
    decoys = [s for s in stories() if s.get("decoy_of") is not None]
    assert len(decoys) >= 4
    for decoy in decoys:
        target = story(decoy["decoy_of"])
        assert target["linking"] == "content" and target.get("decoy_of") is None, decoy["id"]
        assert decoy["section"] == target["section"], decoy["id"]
        assert decoy["linking"] in {"single", "content"} and len(decoy["versions"]) <= 2, decoy["id"]
        assert any(a != b for a in decoy["versions"] for b in target["versions"]), decoy["id"]
        gap = datetime.fromisoformat(decoy["published"]) - datetime.fromisoformat(target["published"])
        assert abs(gap) <= timedelta(days=2), decoy["id"]
        for lang, v in decoy["versions"].items():
            for other, w in target["versions"].items():
                if other != lang:
                    shared = {n for n in story_numbers(v) & story_numbers(w) if n >= 10} - {2025, 2026, 2027}
                    assert 1 <= len(shared) <= 4, (decoy["id"], lang, other, shared)


def wire_paragraphs(entry: dict[str, Any]) -> list[str]:
    """The copy's text as the wire renders it: drop, then add, then append boilerplate."""
    paragraphs = list(story(entry["copy_of"])["versions"][entry["lang"]]["paragraphs"])
    if entry.get("drop_paragraph") is not None:
        del paragraphs[entry["drop_paragraph"]]
    paragraphs += [entry[key] for key in ("add_paragraph", "append_boilerplate") if entry.get(key)]
    return paragraphs


def test_wire_entries() -> None:
    wire = data()["wire"]
    ids = [w["id"] for w in wire]
    assert len(ids) == len(set(ids)) and all(i in WIRE_IDS for i in ids)
    copied = [w["copy_of"] for w in wire]
    assert len(copied) == len(set(copied)), "each wire copy republishes a different story"
    for w in wire:
        original = story(w["copy_of"])
        assert w["lang"] in {"en", "ru"} and w["lang"] in original["versions"], w["id"]
        assert original["linking"] != "single" and original.get("decoy_of") is None, w["id"]
        assert w["kind"] in {"verbatim", "edited"}, w["id"]
        edits = [key for key in EDITS if w.get(key) is not None]
        assert set(w) <= {"id", "lang", "copy_of", "kind", *EDITS}, w["id"]
        assert (w["kind"] == "verbatim") == (edits == []), w["id"]
    for lang in ("en", "ru"):
        for kind in ("verbatim", "edited"):
            assert sum(1 for w in wire if (w["lang"], w["kind"]) == (lang, kind)) >= 2, (lang, kind)
    edited = [next(k for k in EDITS if w.get(k) is not None) for w in wire if w["kind"] == "edited"]
    assert set(edited) == set(EDITS)


def test_edited_wire_copies_stay_near_duplicates() -> None:
    for w in data()["wire"]:
        if w["kind"] != "edited":
            continue
        original = story(w["copy_of"])["versions"][w["lang"]]
        if w.get("drop_paragraph") is not None:
            assert 0 <= w["drop_paragraph"] < len(original["paragraphs"]), w["id"]
        if w.get("title") is not None:
            assert w["title"] != original["title"] and 5 <= len(w["title"].split()) <= 14, w["id"]
        copy = wire_paragraphs(w)
        assert len(copy) >= 3 and words(copy) >= 90, w["id"]
        a, b = shingles(original["paragraphs"]), shingles(copy)
        assert len(a & b) / len(a | b) >= 0.7, w["id"]


def test_the_update_corrects_one_number_and_adds_a_paragraph() -> None:
    (update,) = data()["updates"]
    target = story(update["story"])
    assert target["linking"] == "hreflang" and update["lang"] == "en"
    old, new = target["versions"]["en"]["paragraphs"], update["paragraphs"]
    assert len(new) == len(old) + 1 and 90 <= words(new) <= 220
    changed = [(a, b) for a, b in zip(old, new, strict=False) if a != b]
    assert len(changed) == 1
    before, after = changed[0]
    assert re.sub(r"\d+", "#", before) == re.sub(r"\d+", "#", after) and numbers(before) != numbers(after)


def test_wrong_language_entry() -> None:
    (wrong,) = data()["wrong_language"]
    assert wrong["id"] == 190 and wrong["edition"] == "en" and wrong["lang"] == "ru"
    assert "ru" in story(wrong["copy_of"])["versions"]


def test_the_demo_site_loads_the_file() -> None:
    loader = pytest.importorskip("crawler.demo.data")
    parsed = loader.parse_stories(data())
    assert len(parsed.stories) == len(stories())
