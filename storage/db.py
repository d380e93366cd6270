"""The Database component: engine, sessions and schema check, for SQLite and PostgreSQL alike.

A crawl builds one :class:`Database` from its settings (:meth:`Database.from_crawler`) and every component of
that crawl shares it; a command builds one for its run. Nothing is cached per process. The schema comes only
from Alembic (:func:`upgrade`), run by ``newsagg db upgrade`` and by the commands that create a database;
everything else checks that the schema is current (:meth:`Database.check_schema`) and stops with a clear
message when it is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

T = TypeVar("T")

# The attribute of a Scrapy crawler that holds its Database: one per crawl, whichever component asks first.
_CRAWLER_ATTRIBUTE = "newsagg_database"


class DatabaseError(RuntimeError):
    """The database cannot be used; the message says which URL and why."""


def redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def normalize_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver this project installs."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {url!r} (expected e.g. sqlite:///newsagg.db)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers (stats, serve) run beside a crawl.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def one_line(error: object) -> str:
    # PostgreSQL's own message without the CONTEXT and DETAIL lines psycopg appends.
    primary = getattr(getattr(error, "diag", None), "message_primary", None)
    return " ".join(str(primary or error).split())


def unreachable(url: str, exc: OperationalError) -> DatabaseError:
    return DatabaseError(f"cannot reach database {redact(url)}: {one_line(exc.orig)}")


def create_database_engine(url: str) -> Engine:
    url = normalize_url(url)
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseError(f"cannot use database {redact(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Database:
    """One database as a crawl or a command uses it.

    ``bind`` lets a caller hand in a connection with a transaction already open (tests roll it back): the
    sessions then work in savepoints inside it.
    """

    def __init__(self, url: str, *, bind: Connection | None = None) -> None:
        self.url = normalize_url(url)
        self.given_url = url  # as the user wrote it, for messages
        self.engine = bind.engine if bind is not None else create_database_engine(self.url)
        self._owns_engine = bind is None
        if bind is not None:
            self._sessions = sessionmaker(bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint")
        else:
            self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._shared: dict[str, Any] = {}
        self._schema_checked = False

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Database:
        return cls(str(settings.get("NEWSAGG_DATABASE_URL")))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Database:
        """The crawl's Database, built on first use and closed when the crawl's engine stops."""
        database: Database | None = getattr(crawler, _CRAWLER_ATTRIBUTE, None)
        if database is None:
            from scrapy import signals

            database = cls.from_settings(crawler.settings)
            setattr(crawler, _CRAWLER_ATTRIBUTE, database)
            crawler.signals.connect(database.close, signal=signals.engine_stopped)
        return database

    def attach(self, crawler: Crawler) -> None:
        """Make this the Database of ``crawler`` too: crawls run together in one process (``newsagg crawl
        A B``) share one, so they share its near-duplicate index and its writer. The caller closes it."""
        setattr(crawler, _CRAWLER_ATTRIBUTE, self)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def shared(self, name: str, build: Callable[[], T]) -> T:
        """A component that every user of this database shares (the near-duplicate index, the Redis
        state), built once on first use."""
        if name not in self._shared:
            self._shared[name] = build()
        value: T = self._shared[name]
        return value

    def check_schema(self) -> None:
        """Raise :class:`DatabaseError` unless the schema is at the newest revision; checked once."""
        if self._schema_checked:
            return
        heads = set(ScriptDirectory.from_config(alembic_config(self.url)).get_heads())
        try:
            with self.engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        except OperationalError as exc:
            raise unreachable(self.given_url, exc) from None
        if not current:
            raise DatabaseError(f"database {redact(self.given_url)} has no newsagg schema: run `newsagg db upgrade`")
        if current != heads:
            raise DatabaseError(
                f"database {redact(self.given_url)} is at revision {', '.join(sorted(current))}, this newsagg needs "
                f"{', '.join(sorted(heads))}: run `newsagg db upgrade`"
            )
        self._schema_checked = True

    def check_writable(self) -> None:
        """Raise :class:`DatabaseError` when the database takes no writes (a read-only file, directory or
        server): a crawl must not run, and report success, when it cannot store what it fetches."""
        try:
            with self.engine.connect() as connection, connection.begin() as transaction:
                connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
                transaction.rollback()
        except DBAPIError as exc:
            raise DatabaseError(f"cannot write to database {redact(self.given_url)}: {one_line(exc.orig)}") from None

    def close(self) -> None:
        for value in self._shared.values():
            closer = getattr(value, "close", None)
            if callable(closer):
                closer()
        self._shared.clear()
        if self._owns_engine:
            self.engine.dispose()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """One unit of work on ``url`` through a Database of its own (one-off reads and writes)."""
    database = Database(url)
    try:
        with database.session() as session:
            yield session
    finally:
        database.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    config.attributes["database_url"] = normalize_url(url)
    return config


# The key of the PostgreSQL advisory lock that serialises newsagg migrations: any fixed number will do,
# as long as every newsagg uses the same one.
MIGRATION_LOCK_KEY = 7_206_259_153
# How long a migration on SQLite waits for another one (or a long write) to finish before it gives up.
SQLITE_MIGRATION_WAIT_SECONDS = 600.0


def _migration_engine(url: str) -> Engine:
    """An engine for one migration run, whose transactions hold the database's migration lock.

    On SQLite the lock is the database's own write lock: SQLAlchemy emits ``BEGIN EXCLUSIVE`` itself
    (pysqlite would begin lazily, after the first read), and a second migration waits on it.
    """
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, poolclass=NullPool)
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": SQLITE_MIGRATION_WAIT_SECONDS})
    sqlite_explicit_transactions(engine, "BEGIN EXCLUSIVE")
    return engine


def sqlite_explicit_transactions(engine: Engine, begin: str = "BEGIN") -> None:
    """Let SQLAlchemy emit ``begin`` on a SQLite engine: pysqlite would begin lazily, after the first
    read, which breaks SAVEPOINT and lets a read in before the lock is taken."""

    @event.listens_for(engine, "connect")
    def _explicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)


def _take_migration_lock(connection: Connection) -> None:
    """Wait for any other migration of this database; the lock lasts until the transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    # SQLite: BEGIN EXCLUSIVE (see _migration_engine) already holds it.


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision``: the only way the schema is built.

    Migrations are serialised: the whole upgrade runs in one transaction that holds the migration lock
    (a PostgreSQL advisory lock, a SQLite exclusive transaction). A second ``upgrade`` started at the
    same time waits for the first, then finds the schema current and does nothing.
    """
    config = alembic_config(url)
    try:
        engine = _migration_engine(normalize_url(url))
        try:
            with engine.connect() as connection, connection.begin():
                _take_migration_lock(connection)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        finally:
            engine.dispose()
    except OperationalError as exc:
        raise unreachable(url, exc) from None
    except ImportError as exc:
        raise DatabaseError(f"cannot use database {redact(url)}: its driver is not installed ({exc.name})") from None
