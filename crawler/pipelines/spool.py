"""Items that could not be stored through a whole database outage, kept on disk until the database is back.

An entry is the page as fetched (the spider's fields of an ArticleItem), one JSON line: replaying it runs
the pipeline again from the HTML, so nothing derived before the outage is trusted. The folder holds one
sub-folder per database (spooled pages go back where they were meant to go) and per source, and a file
per writing process. A process replays a file after claiming it by a rename, so two never replay one; a
file claimed by a process that died is taken again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.items import ArticleItem
from storage.types import utcnow

log = logging.getLogger(__name__)

DEFAULT_FOLDER = "newsagg-spool"
FETCH_FIELDS = ("source", "edition_lang", "url", "final_url", "html", "encoding", "fetched_at", "seen_urls", "hints")
_CLAIMED = ".replaying-"


class Spool:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._file = f"{os.getpid()}-{utcnow():%Y%m%dT%H%M%S%f}.jsonl"

    @classmethod
    def for_database(cls, root: str, database_url: str) -> Spool:
        """The spool of ``database_url`` under ``root`` (NEWSAGG_SPOOL_DIR; empty: ./newsagg-spool)."""
        digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]
        return cls(Path(root or DEFAULT_FOLDER) / digest)

    def add(self, item: ArticleItem, error: str) -> Path:
        """Keep ``item``'s page, written through to the disk before this returns."""
        folder = self.folder / item.source
        folder.mkdir(parents=True, exist_ok=True)
        entry = {name: getattr(item, name) for name in FETCH_FIELDS} | {"error": error, "spooled_at": utcnow()}
        path = folder / self._file
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False, default=_iso) + "\n")
            out.flush()
            os.fsync(out.fileno())
        return path

    def sources(self) -> list[str]:
        """The sources with spooled pages."""
        if not self.folder.is_dir():
            return []
        return sorted(path.name for path in self.folder.iterdir() if any(self._files(path.name)))

    def count(self) -> int:
        return sum(_lines(path) for source in self.sources() for path in self._files(source))

    def claim(self, source: str) -> Iterator[tuple[Path, list[ArticleItem]]]:
        """Each spooled file of ``source`` this process could claim, with its items; the caller removes
        the file once they are stored (or spooled again), or calls :meth:`release` to give it back."""
        for path in self._files(source):
            claimed = path.with_name(f"{path.name.split(_CLAIMED)[0]}{_CLAIMED}{os.getpid()}")
            try:
                path.rename(claimed)
            except FileNotFoundError:  # another process claimed it first
                continue
            yield claimed, list(_read(claimed))

    @staticmethod
    def release(claimed: Path) -> None:
        claimed.rename(claimed.with_name(claimed.name.split(_CLAIMED)[0]))

    def _files(self, source: str) -> list[Path]:
        folder = self.folder / source
        if not folder.is_dir():
            return []
        return sorted(path for path in folder.iterdir() if path.suffix == ".jsonl" or _abandoned(path))


def _abandoned(path: Path) -> bool:
    """A file claimed by a process that is gone."""
    _, _, pid = path.name.partition(_CLAIMED)
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _read(path: Path) -> Iterator[ArticleItem]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            yield ArticleItem(
                **{name: entry[name] for name in FETCH_FIELDS if name not in ("fetched_at", "seen_urls")},
                fetched_at=datetime.fromisoformat(entry["fetched_at"]),
                seen_urls=[(url, kind) for url, kind in entry["seen_urls"]],
            )
        except (ValueError, KeyError, TypeError) as error:
            # A line cut short by a crash while it was written: the page will be fetched again.
            log.warning("%s:%d: not a spooled page, skipped (%s)", path, number, error)


def _lines(path: Path) -> int:
    with path.open(encoding="utf-8") as lines:
        return sum(1 for line in lines if line.strip())


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)
