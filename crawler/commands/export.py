"""``newsagg export``: every stored article (or story) as JSON Lines or CSV, for consumers.

Rows stream from the database a batch at a time, so memory stays flat however large the database.
Records come oldest stored first; to resume, pass the last record's ``stored_at`` as ``--since``
(inclusive: records stored at that very instant come again, the ``id`` tells them apart).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import IO, Any

from crawler.commands import UserError, add_db_option, database_url, parse_time, require_database
from storage.db import session_scope
from storage.listing import ArticleFilter, count_articles, stream_articles, stream_stories
from storage.stories import STORY_LANGS

ARTICLE_FIELDS = ["id", "story_id", "source", "lang", "title", "url", "published_at", "stored_at"]
STORY_FIELDS = ["id", "group_id", "source", "articles", "published_at", "first_fetched_at"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "export",
        help="write stored articles (or stories) as JSON Lines or CSV",
        description="One record per article with its story id and its translations' URLs, oldest stored first "
        "(or, with --stories, one per story). Resume with --since set to the last record's stored_at.",
    )
    parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="default jsonl")
    parser.add_argument("--stories", action="store_true", help="one record per story instead of per article")
    parser.add_argument("--lang", help="only articles in this language (stories: that have one)")
    parser.add_argument("--source", metavar="KEY", help="only this source")
    parser.add_argument("--since", metavar="TIME", help="stored at or after (ISO 8601, UTC if no zone)")
    parser.add_argument("--until", metavar="TIME", help="stored before (ISO 8601, UTC if no zone)")
    parser.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    add_db_option(parser)
    parser.set_defaults(handler=cmd_export)


def _flat_article(record: dict[str, Any]) -> dict[str, Any]:
    row = {key: record[key] for key in ARTICLE_FIELDS}
    row.update({f"{lang}_url": record["translations"].get(lang) for lang in STORY_LANGS})
    return row


def _flat_story(record: dict[str, Any]) -> dict[str, Any]:
    row = {key: record[key] for key in STORY_FIELDS}
    for lang in STORY_LANGS:
        member = record["langs"].get(lang) or {}
        row.update({f"{lang}_{key}": member.get(key) for key in ("id", "title", "url")})
    return row


def _columns(stories: bool) -> list[str]:
    if stories:
        return STORY_FIELDS + [f"{lang}_{key}" for lang in STORY_LANGS for key in ("id", "title", "url")]
    return ARTICLE_FIELDS + [f"{lang}_url" for lang in STORY_LANGS]


class Progress:
    """A counter on standard error when it is a terminal; silent in pipes and files."""

    def __init__(self, total: int | None, stream: IO[str]) -> None:
        self.total, self.stream, self.count, self.shown_at = total, stream, 0, 0.0
        self.enabled = stream.isatty()

    def step(self) -> None:
        self.count += 1
        now = time.monotonic()
        if self.enabled and (now - self.shown_at >= 0.5 or self.count == self.total):
            self.shown_at = now
            self.stream.write(f"\r{self._text()}")
            self.stream.flush()

    def _text(self) -> str:
        return f"exported {self.count}" + (f" of {self.total}" if self.total is not None else "")

    def close(self) -> None:
        if self.enabled:
            self.stream.write(f"\r{self._text()}\n")


def cmd_export(args: argparse.Namespace) -> int:
    where = ArticleFilter(
        lang=args.lang,
        source=args.source,
        since=parse_time(args.since) if args.since else None,
        until=parse_time(args.until) if args.until else None,
    )
    if where.since and where.until and where.since >= where.until:
        raise UserError("--since must be earlier than --until")
    db_url = database_url(args)
    require_database(db_url)
    with ExitStack() as stack:
        out: IO[str] = (
            stack.enter_context(open(args.out, "w", encoding="utf-8", newline="")) if args.out else sys.stdout
        )
        session = stack.enter_context(session_scope(db_url))
        total = None if args.stories else count_articles(session, where)
        progress = Progress(total, sys.stderr)  # stories: a count alone, there is no cheap total
        records: Iterator[dict[str, Any]] = (
            stream_stories(session, where) if args.stories else stream_articles(session, where)
        )
        if args.format == "csv":
            writer = csv.DictWriter(out, fieldnames=_columns(args.stories))
            writer.writeheader()
            flat = _flat_story if args.stories else _flat_article
            for record in records:
                writer.writerow(flat(record))
                progress.step()
        else:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                progress.step()
        progress.close()
    return 0
