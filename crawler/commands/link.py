"""``newsagg link``: run translation linking again over stored articles.

For a new threshold or window, for articles that arrived late, or after the feature extractor
changed. Three passes over the selected articles, in batches of one transaction each:

1. features: recompute link features and URL ids where the text, the extractor or the source changed,
   and forget earlier ``below_threshold`` withdrawals, which this run judges again;
2. prune: content links of the selected articles that no longer reach the threshold are withdrawn
   (recorded in ``rejected_links`` with reason ``below_threshold``) and their groups recomputed;
3. link: pending declared links, URL ids and content evidence, as the crawl's link step does.

Running it twice changes nothing the second time: links are stored once per pair.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from crawler.commands import (
    UserError,
    add_db_option,
    add_json_option,
    add_sources_option,
    database_url,
    parse_time,
    registry,
    require_database,
    source_paths,
)
from crawler.commands.report import to_json
from settings.sources import Source
from storage.db import redact


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "link",
        help="re-run translation linking over stored articles",
        description="Run translation linking again over stored articles (all, or those published since DATE).",
    )
    parser.add_argument("--since", metavar="DATE", help="only articles published since DATE (YYYY-MM-DD or ISO time)")
    parser.add_argument(
        "--threshold", type=float, metavar="SCORE", help="content-link threshold, 0..1 (NEWSAGG_CONTENT_LINK_THRESHOLD)"
    )
    parser.add_argument(
        "--window-hours", type=float, metavar="H", help="content candidates within H hours (NEWSAGG_LINK_WINDOW_HOURS)"
    )
    add_json_option(parser)
    add_db_option(parser)
    add_sources_option(parser)
    parser.set_defaults(handler=cmd_link)


@dataclass
class RelinkReport:
    articles: int = 0
    refreshed: int = 0
    dropped: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    groups: int = 0
    pending: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "features_updated": self.refreshed,
            "links_dropped": self.dropped,
            "outcomes": dict(sorted(self.outcomes.items())),
            "linked": sum(n for key, n in self.outcomes.items() if key.endswith("/linked")),
            "groups": self.groups,
            "pending": self.pending,
        }


def cmd_link(args: argparse.Namespace) -> int:
    from crawler.linking.article_linker import LinkSettings
    from crawler.ops.crawl_runner import crawl_settings

    since = parse_time(args.since) if args.since else None
    overrides: dict[str, Any] = {}
    if args.threshold is not None:
        if not 0 < args.threshold <= 1:
            raise UserError("--threshold must be a score above 0 and at most 1")
        overrides["NEWSAGG_CONTENT_LINK_THRESHOLD"] = args.threshold
    if args.window_hours is not None:
        if args.window_hours <= 0:
            raise UserError("--window-hours must be a positive number of hours")
        overrides["NEWSAGG_LINK_WINDOW_HOURS"] = args.window_hours
    db_url = database_url(args)
    require_database(db_url)
    settings = LinkSettings.from_settings(crawl_settings(db_url, source_paths(args), overrides))
    report = relink(db_url, registry(args), settings, since, progress=None if args.json else sys.stderr)
    if args.json:
        print(to_json(report.as_dict()))
    else:
        result = report.as_dict()
        print(
            f"Linking finished: {redact(db_url)}\n"
            f"  articles {result['articles']} (features updated {result['features_updated']}), "
            f"links added {result['linked']}, withdrawn {result['links_dropped']}\n"
            f"  groups {result['groups']}, pending declared links {result['pending']}"
        )
    return 0


def relink(
    db_url: str,
    sources: Mapping[str, Source],
    settings: Any,
    since: datetime | None,
    *,
    progress: TextIO | None = None,
) -> RelinkReport:
    """Link the stored articles published since ``since`` (all when None) again; see the module doc."""
    from crawler.linking.article_linker import Linker
    from storage import candidates, groups
    from storage.articles import source_keys
    from storage.db import session_scope
    from storage.models import Article

    report = RelinkReport()
    # Texts do not change after the features pass: each article's best matches are computed once.
    linker = Linker(settings, lambda key: report.outcomes.update([key]), remember=True)
    with session_scope(db_url) as session:
        keys = source_keys(session)
        batches = list(candidates.article_ids(session, since))
    total = sum(len(batch) for batch in batches)
    report.articles = total

    def each(step: Callable[[Any, Article], None], label: str) -> None:
        done = 0
        for batch in batches:
            with session_scope(db_url) as session:
                for article_id in batch:
                    article = session.get(Article, article_id)
                    if article is not None:
                        step(session, article)
            done += len(batch)
            if progress is not None:
                print(f"  … {label}: {done}/{total} articles", file=progress)

    def refresh(session: Any, article: Article) -> None:
        source = sources.get(keys.get(article.source_id, ""))
        pattern = source.translations.url_id if source is not None and source.translations else None
        if linker.refresh(session, article, pattern, known=source is not None):
            report.refreshed += 1
        # Withdrawn for an earlier threshold: judged again below.
        groups.clear_rejections(session, article.id, "below_threshold")

    def prune(session: Any, article: Article) -> None:
        report.dropped += linker.recheck(session, article)

    def link(session: Any, article: Article) -> None:
        linker.resolve_pending(session, article)
        linker.url_ids(session, article)
        linker.content(session, article)

    each(refresh, "features")
    each(prune, "checked")
    each(link, "linked")
    with session_scope(db_url) as session:
        report.groups = groups.group_count(session)
        report.pending = groups.pending_count(session)
    return report
