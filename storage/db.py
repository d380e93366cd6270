"""Engines, sessions and schema upgrades, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker


class DatabaseError(RuntimeError):
    """The database cannot be used; the message says which URL and why."""


def redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers (stats, serve) run beside a crawl.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def normalize_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver this project installs."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {url!r} (expected e.g. sqlite:///newsagg.db)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


_engines: dict[str, Engine] = {}


def get_engine(url: str) -> Engine:
    """One engine (and connection pool) per database URL in this process."""
    url = normalize_url(url)
    if url in _engines:
        return _engines[url]
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseError(f"cannot use database {redact(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    _engines[url] = engine
    return engine


def dispose_engine(url: str) -> None:
    """Close the pool of ``url`` (before its database is dropped, say)."""
    _upgraded.difference_update({key for key in _upgraded if key.startswith(f"{normalize_url(url)}@")})
    engine = _engines.pop(normalize_url(url), None)
    if engine is not None:
        engine.dispose()


def _session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = _session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    config.attributes["database_url"] = normalize_url(url)
    return config


def _one_line(error: object) -> str:
    return " ".join(str(error).split())


_upgraded: set[str] = set()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision``: the only way the schema is built.

    Each crawl component that writes calls this; within one process the work is done once per database.
    """
    key = f"{normalize_url(url)}@{revision}"
    if key in _upgraded:
        return
    try:
        command.upgrade(alembic_config(url), revision)
        _upgraded.add(key)
    except OperationalError as exc:
        raise DatabaseError(f"cannot reach database {redact(url)}: {_one_line(exc.orig)}") from None
    except ImportError as exc:
        raise DatabaseError(f"cannot use database {redact(url)}: its driver is not installed ({exc.name})") from None


def is_current(url: str) -> bool:
    try:
        return "alembic_version" in inspect(get_engine(url)).get_table_names()
    except OperationalError as exc:
        raise DatabaseError(f"cannot reach database {redact(url)}: {_one_line(exc.orig)}") from None


def require_existing(url: str) -> None:
    """Fail unless ``url`` names an existing newsagg database; creates and migrates nothing.

    For the read-only commands: connecting to a missing SQLite file would create an empty one.
    """
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database or "")
        if not path.is_file():
            raise DatabaseError(f"no database at {path} (run `newsagg db upgrade` or a crawl to create it)")
    if not is_current(url):
        raise DatabaseError(f"{redact(url)} is not a newsagg database (run `newsagg db upgrade` to build it)")
    with get_engine(url).connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != set(ScriptDirectory.from_config(alembic_config(url)).get_heads()):
        raise DatabaseError(f"{redact(url)} has an older schema: run `newsagg db upgrade` first")
