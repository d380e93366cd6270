"""The ``stories`` view (revision 0007) on SQLite and PostgreSQL, and docs/schema.md naming every column
of every table and of the view."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from storage import groups
from storage.db import session_scope
from storage.models import Base
from storage.stories import get_story, stories

from .test_groups import make_articles

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def test_one_row_per_story_with_its_languages_side_by_side(database_url):
    march = [datetime(2026, 3, day, tzinfo=UTC) for day in (3, 1, 2, 5, 4)]
    with session_scope(database_url) as session:
        ru, en, ar, lone, other_en = make_articles(session, "ru", "en", "ar", "ar", "en", published=march)
        groups.link(session, ru, en, "hreflang", 1.0)
        groups.link(session, en, ar, "hreflang", 1.0)
        ids = {a.lang + str(i): a.id for i, a in enumerate((ru, en, ar, lone, other_en))}
        group = ru.group_id
    with session_scope(database_url) as session:
        rows = {row.story_id: row for row in session.execute(select(stories))}
        assert set(rows) == {f"g{group}", f"a{ids['ar3']}", f"a{ids['en4']}"}
        story = rows[f"g{group}"]
        assert (story.group_id, story.articles, story.published_at) == (group, 3, march[1])
        assert (story.ru_id, story.en_id, story.ar_id) == (ids["ru0"], ids["en1"], ids["ar2"])
        assert story.en_url == "https://example.org/en/1" and story.ar_title is None
        alone = rows[f"a{ids['ar3']}"]
        assert (alone.group_id, alone.articles, alone.ru_id, alone.en_id, alone.ar_id) == (
            None,
            1,
            None,
            None,
            ids["ar3"],
        )
        found = get_story(session, f"g{group}")
        assert found is not None and set(found["langs"]) == {"ru", "en", "ar"} and found["source"] == "s"
        assert get_story(session, "g999999") is None


def _sections() -> dict[str, str]:
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## `([a-z_]+)`", text, flags=re.M)
    return {name: body for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def test_schema_doc_names_every_column_of_every_table_and_view():
    sections = _sections()
    tables = [*Base.metadata.sorted_tables, stories]
    missing = []
    for table in tables:
        body = sections.get(table.name)
        if body is None:
            missing.append(f"section for {table.name}")
            continue
        missing += [f"{table.name}.{c.name}" for c in table.columns if not re.search(rf"\b{c.name}\b", body)]
    assert missing == []
