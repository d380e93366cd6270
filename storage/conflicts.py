"""Get-or-insert that survives a concurrent insert: ``INSERT ... ON CONFLICT DO NOTHING``, then read.

Two crawl processes may add the same row (a sitemap's fetch state, a source, a URL) at the same moment.
A plain select-then-insert would fail the second with an IntegrityError; an insert that ignores the
conflict waits for the other transaction (PostgreSQL) and then does nothing, and the read that follows
finds the row whichever process wrote it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflicts(session: Session, model: Any) -> Any:
    """An INSERT into ``model``'s table that skips rows whose unique key is already taken."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing()
    raise NotImplementedError(f"newsagg supports SQLite and PostgreSQL, not {dialect}")


def insert_or_read(session: Session, model: Any, key: dict[str, Any], **values: Any) -> Any:
    """The row of ``model`` whose unique ``key`` columns have these values: inserted with ``values`` unless
    it exists, or another process inserts it at the same moment (then theirs stands, as it is)."""
    session.execute(insert_ignoring_conflicts(session, model).values(**key, **values))
    return session.scalars(select(model).filter_by(**key)).one()
