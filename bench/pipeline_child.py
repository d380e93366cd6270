"""One measured crawl for bench/pipeline.py, in a process of its own (Twisted's reactor runs once per process).

``python bench/pipeline_child.py bare BASE OUT`` runs a bare Scrapy spider that reads the sitemap index and
calls ``trafilatura.extract`` on each article page, storing nothing. ``python bench/pipeline_child.py newsagg
BASE OUT --db URL --sources FILE --source KEY`` runs the newsagg crawl of that source. Either writes a JSON
summary to OUT: pages, the CPU spent before the crawl started, CPU per stage, SQL statements and commits,
peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pipeline_stages  # noqa: E402

# Both crawls: the same concurrency, no politeness delays on loopback, quiet logs.
COMMON_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "ERROR",
    "TELNETCONSOLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
}


def _install_reactor(settings: Any) -> None:
    """The reactor Scrapy asks for, before the stage wrappers import modules that would install another."""
    from scrapy.utils.reactor import install_reactor

    install_reactor(settings["TWISTED_REACTOR"])


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mib() -> float | None:
    """This process's own peak RSS (VmHWM). Not rusage: its maxrss outlives exec, so a child forked from
    the parent that holds the whole site would report the parent's size."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return int(line.split()[1]) / 1024 if line else None


def run_bare(base: str) -> dict[str, Any]:
    import scrapy
    import trafilatura
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings
    from scrapy.spiders import SitemapSpider

    class BareSpider(SitemapSpider):
        name = "bare"
        sitemap_urls: ClassVar[list[str]] = [f"{base}/sitemap.xml"]
        sitemap_rules: ClassVar[list[tuple[str, str]]] = [("/news/", "parse")]
        pages = 0

        def parse(self, response: scrapy.http.Response) -> Iterator[Any]:
            BareSpider.pages += 1
            trafilatura.extract(response.text, url=response.url)
            return iter(())

    settings = Settings(COMMON_SETTINGS)
    _install_reactor(settings)
    pipeline_stages.wrap_bare(settings, BareSpider)
    process = CrawlerProcess(settings)
    process.crawl(BareSpider)
    startup = _cpu()
    process.start()
    return {"pages": BareSpider.pages, "startup_cpu": startup}


def run_newsagg(base: str, db: str, sources: str, source: str) -> dict[str, Any]:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from crawler.ops.crawl_runner import crawl_settings, run_crawls

    counts = {"statements": 0, "commits": 0}

    def statement(*_args: Any) -> None:
        counts["statements"] += 1

    def commit(*_args: Any) -> None:
        counts["commits"] += 1

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", commit)
    settings = crawl_settings(db, [Path(sources)], {**COMMON_SETTINGS, "NEWSAGG_JOB_TRIGGER": "manual"})
    _install_reactor(settings)
    pipeline_stages.wrap_newsagg(settings)
    startup = _cpu()
    runs = run_crawls([source], settings, progress=None)
    stats = runs[0].stats if runs else {}
    outcomes = {k[8:]: v for k, v in stats.items() if k.startswith(("newsagg/stored", "newsagg/dup"))}
    drops = {k[8:]: v for k, v in stats.items() if k.startswith(("newsagg/dropped", "newsagg/err"))}
    return {
        "pages": int(stats.get("newsagg/pages/article", 0)),
        "startup_cpu": startup,
        "outcomes": outcomes,
        "drops": drops,
        **counts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("system", choices=["bare", "newsagg"])
    parser.add_argument("base")
    parser.add_argument("out")
    parser.add_argument("--db")
    parser.add_argument("--sources")
    parser.add_argument("--source")
    args = parser.parse_args()
    if args.system == "bare":
        result = run_bare(args.base)
    else:
        result = run_newsagg(args.base, args.db, args.sources, args.source)
    result["stages"] = pipeline_stages.totals()
    result["peak_rss_mib"] = _peak_rss_mib()
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
