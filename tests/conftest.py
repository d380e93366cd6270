"""Shared fixtures: the real-world pages beside the repository and the databases under test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REALWORLD_DIR = REPO_ROOT.parent / "shared" / "realworld"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers per core: many tests wait on a crawl process or a server, and the second worker fills
    those waits (--maxprocesses in pyproject.toml caps it)."""
    return 2 * len(os.sched_getaffinity(0))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long-running modules first: xdist hands out whole modules in this order, and one started last
    would run alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("long_running") is None)


def pytest_configure(config: pytest.Config) -> None:
    """Started in the background by a non-interactive shell, the test run inherits SIGINT ignored, and so
    would every command it starts: the tests that stop a command with SIGINT (as Ctrl-C does) would wait
    for it forever."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def run_newsagg(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The `newsagg` command as a user runs it: a separate process, its output captured (``preexec_fn``
    runs in the child first, e.g. to give up privileges)."""
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec_fn,
    )


def project_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every setting of settings/crawl.py (the one place defaults live), with ``overrides`` on top."""
    import settings.crawl as module

    return {name: getattr(module, name) for name in dir(module) if name.isupper()} | (overrides or {})


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def realworld() -> Iterator[Path]:
    """The third-party pages in ../shared/realworld; absent in a user's fresh clone."""
    if not REALWORLD_DIR.is_dir():
        if in_ci():
            pytest.fail(f"{REALWORLD_DIR} is missing, and CI must run the real-world tests")
        pytest.skip(f"{REALWORLD_DIR} is absent (it sits beside the repository only on dev and CI machines)")
    yield REALWORLD_DIR


POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/15"


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable on 127.0.0.1 ({error})"
    if in_ci():
        pytest.fail(f"{message}; CI must run these tests (.ci/run starts the server)")
    pytest.skip(message)


@pytest.fixture
def shared_redis() -> Iterator[tuple[Any, dict[str, str], str]]:
    """A Redis client, the crawl settings that point at Redis, and a key prefix of this test's own (its keys
    are removed afterwards)."""
    import uuid

    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        _unavailable("Redis", error)
    prefix = f"newsagg-test-{uuid.uuid4().hex[:10]}"
    yield client, {"NEWSAGG_REDIS_URL": REDIS_URL, "NEWSAGG_REDIS_PREFIX": prefix}, prefix
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)
    client.close()


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    name = f"newsagg_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        _unavailable("PostgreSQL", exc)
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, built by ``alembic upgrade head`` (the only way schemas are built)."""
    from storage.db import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'newsagg.db'}"
        upgrade(url)
        yield url
        return
    with fresh_postgres_database() as url:
        upgrade(url)
        yield url


def _savepoints_on_sqlite(engine: Any) -> None:
    """pysqlite opens transactions lazily and so breaks SAVEPOINT: let SQLAlchemy emit BEGIN itself."""
    from storage.db import sqlite_explicit_transactions

    if engine.dialect.name == "sqlite":
        sqlite_explicit_transactions(engine)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database at the newest schema, built once per test session."""
    from storage.db import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'newsagg.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[str]:
    """A PostgreSQL database at the newest schema, built once per test session."""
    from storage.db import upgrade

    with fresh_postgres_database() as url:
        upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A Database whose every write is rolled back after the test (sessions work in savepoints of one
    outer transaction), on the schema built once per session; one of each kind."""
    from storage.db import Database, create_database_engine

    url = request.getfixturevalue("migrated_sqlite" if request.param == "sqlite" else "migrated_postgres")
    engine = create_database_engine(url)
    _savepoints_on_sqlite(engine)
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield Database(url, bind=connection)
        finally:
            outer.rollback()
    engine.dispose()


@pytest.fixture
def open_database() -> Iterator[Any]:
    """A factory of Database components (one per simulated crawl), all closed after the test."""
    from storage.db import Database

    opened: list[Database] = []

    def open_one(url: str) -> Database:
        opened.append(Database(url))
        return opened[-1]

    yield open_one
    for database in opened:
        database.close()


# A crawled title as a hostile site could serve it: markup that must show as text and run nothing.
HOSTILE_TITLE = '<script>window.pwned = "script"</script><img src=x onerror="window.pwned = \'img\'"> Breaking'


class DemoDatabase:
    """A database filled by one real `newsagg demo` crawl, shared by the whole session: read it, never change it."""

    def __init__(self, url: str, summary: dict, hostile_id: int) -> None:
        self.url, self.summary, self.hostile_id = url, summary, hostile_id


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> DemoDatabase:
    """One demo crawl, in this process as `newsagg demo` runs it, for every test that reads a crawled
    database; the newest linked story's article gets :data:`HOSTILE_TITLE`, as the store pipeline keeps
    whatever title a page gives."""
    import json

    from sqlalchemy import select

    from crawler.commands.demo import DEMO_OVERRIDES
    from crawler.commands.report import crawl_summary
    from crawler.demo.server import DemoServer
    from crawler.ops.job_recorder import JOB_ID_STAT
    from storage.db import session_scope, upgrade
    from storage.models import Article

    from .crawl_process import crawl_here

    folder = tmp_path_factory.mktemp("demo-database")
    url = f"sqlite:///{folder / 'demo.db'}"
    upgrade(url)
    # Nothing read from this database is about timeouts: the slow page answers at once (its bare headline
    # is then dropped as an empty body).
    with DemoServer(slow_seconds=0) as server:
        sources = server.write_sources(folder)
        stats, log = crawl_here(url, sources, ["demo", "wire"], {**DEMO_OVERRIDES, "NEWSAGG_JOB_TRIGGER": "demo"})
        site = server.base
    job_ids = [int(run[JOB_ID_STAT]) for run in stats.values() if JOB_ID_STAT in run]
    assert len(job_ids) == len(stats), log[-3000:]
    summary = json.loads(json.dumps({**crawl_summary(url, job_ids), "site": site}, default=str))
    with session_scope(url) as session:
        article = session.scalars(
            select(Article)
            .where(Article.group_id.is_not(None), Article.published_at.is_not(None))
            .order_by(Article.published_at.desc(), Article.id.desc())
        ).first()
        assert article is not None, "the demo crawl links translations"
        article.title = HOSTILE_TITLE
        hostile_id = article.id
    return DemoDatabase(url, summary, hostile_id)
