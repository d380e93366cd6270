"""The whole pipeline's cost per page next to bare Scrapy + trafilatura.extract, measured in one run.

Serves a generated news site on 127.0.0.1 (feeds, sitemaps and ru/en/ar article pages built from
``../shared/realworld`` pages made unique at run time, see bench/pipeline_site.py), then crawls it three
times, each in a process of its own (bench/pipeline_child.py): (a) a bare Scrapy spider that calls
``trafilatura.extract`` on every article page and stores nothing, (b) newsagg into a new SQLite database,
(c) newsagg into a new PostgreSQL database on 127.0.0.1:5432 (dropped afterwards; skipped when the server is
not there). Prints pages/s, CPU per page, peak RSS, the ratios b/a and c/a (throughput and CPU per page),
SQL per page, and where (b)'s CPU goes per stage.

Usage: ``python bench/pipeline.py [--pages N] [--no-postgres]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
REALWORLD = REPO_ROOT.parent / "shared" / "realworld"
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(BENCH_DIR))

import pipeline_site  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SOURCE_KEY = "benchsite"


def measure(system: str, base: str, extra: list[str]) -> dict[str, Any]:
    """Run one crawl in a child process; its rusage gives CPU time, the child itself its peak RSS."""
    with tempfile.TemporaryDirectory(prefix="newsagg-bench-") as folder:
        out = Path(folder) / "result.json"
        command = [sys.executable, str(BENCH_DIR / "pipeline_child.py"), system, base, str(out), *extra]
        started = time.monotonic()
        child = subprocess.Popen(command, cwd=REPO_ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        if child.returncode != 0 or not out.exists():
            raise SystemExit(f"bench/pipeline.py: the {system} crawl failed (exit {child.returncode})")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    rss_mib = result.pop("peak_rss_mib", None) or usage.ru_maxrss / 1024  # rusage only where /proc is missing
    result.update(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mib=rss_mib)
    return result


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    name = f"newsagg_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        print(f"PostgreSQL is not reachable on 127.0.0.1:5432, (c) skipped: {str(exc).splitlines()[0]}")
        admin.dispose()
        yield None
        return
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def newsagg_run(base: str, db: str, sources: Path) -> dict[str, Any]:
    from storage.db import upgrade

    upgrade(db)  # the schema is built before the measured process starts
    return measure("newsagg", base, ["--db", db, "--sources", str(sources), "--source", SOURCE_KEY])


def print_table(results: dict[str, dict[str, Any]]) -> None:
    bare = results["a"]
    names = {"a": "(a) bare Scrapy + trafilatura.extract", "b": "(b) newsagg, SQLite", "c": "(c) newsagg, PostgreSQL"}
    print(
        f"\n{'':40} {'pages':>6} {'pages/s':>8} {'CPU ms/page':>12} {'startup s':>10} {'peak RSS MiB':>13} "
        f"{'x/a tput':>9} {'a/x CPU':>8}"
    )
    for key, result in results.items():
        pages = max(result["pages"], 1)
        rate = result["pages"] / result["wall"]
        cpu_ms = 1000 * result["cpu"] / pages
        ratio = rate / (bare["pages"] / bare["wall"])
        cpu_ratio = (bare["cpu"] / max(bare["pages"], 1)) / (result["cpu"] / pages)
        print(
            f"{names[key]:40} {result['pages']:>6} {rate:>8.2f} {cpu_ms:>12.1f} {result['startup_cpu']:>10.2f} "
            f"{result['rss_mib']:>13.0f} {ratio:>9.2f} {cpu_ratio:>8.2f}"
        )
    for key in ("b", "c"):
        if key in results:
            result = results[key]
            pages = max(result["pages"], 1)
            per_page = f"{result['statements'] / pages:.1f} SQL statements, {result['commits'] / pages:.1f} commits"
            print(f"{names[key]}: {per_page} per page; {result['outcomes']}; drops/errors {result['drops'] or 'none'}")
    print("x/a tput: pages/s against (a); a/x CPU: (a)'s CPU per page over this one's (the issue's b/a and c/a).")


def print_profile(label: str, result: dict[str, Any]) -> None:
    pages = max(result["pages"], 1)
    print(f"\nCPU per stage, {label} (thread CPU time; indented rows are part of the row above them)")
    print(f"{'stage':58} {'calls':>7} {'ms/call':>8} {'ms/page':>8} {'share':>6}")
    for name, (calls, seconds) in result["stages"].items():
        print(
            f"{name:58} {calls:>7} {1000 * seconds / max(calls, 1):>8.2f} {1000 * seconds / pages:>8.2f} "
            f"{seconds / result['cpu']:>6.1%}"
        )
    print(
        f"{'whole process (incl. startup, Scrapy, Twisted, HTTP)':58} {'':>7} {'':>8} "
        f"{1000 * result['cpu'] / pages:>8.2f} {1:>6.0%}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3000, help="article pages on the site (default 3000)")
    parser.add_argument("--no-postgres", action="store_true", help="skip (c)")
    args = parser.parse_args()
    if not REALWORLD.is_dir():
        print(f"bench/pipeline.py: skipped, {REALWORLD} is absent (the site is built from its pages)")
        return 0
    templates = pipeline_site.load_templates(REALWORLD)
    print(
        f"templates: {', '.join(f'{lang} {len(found)}' for lang, found in templates.items())}; "
        f"{args.pages} article pages; {os.cpu_count()} CPUs"
    )
    results: dict[str, dict[str, Any]] = {}
    site = contextlib.contextmanager(pipeline_site.serve)(templates, args.pages)
    with site as (base, _server), tempfile.TemporaryDirectory(prefix="newsagg-bench-") as folder:
        sources = Path(folder) / "bench.yaml"
        sources.write_text(pipeline_site.sources_yaml(base, SOURCE_KEY), encoding="utf-8")
        results["a"] = measure("bare", base, [])
        results["b"] = newsagg_run(base, f"sqlite:///{Path(folder) / 'bench.db'}", sources)
        if not args.no_postgres:
            with postgres_database() as url:
                if url is not None:
                    results["c"] = newsagg_run(base, url, sources)
    print_table(results)
    print_profile("(a) bare", results["a"])
    print_profile("(b) newsagg, SQLite", results["b"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
