"""Crawl the given sources the way ``newsagg crawl`` does, and write each crawler's stats as JSON.

Run as a process of its own (Twisted's reactor starts once per process):
``python crawl_driver.py CONFIG.json`` with database_url, sources, keys, overrides and stats (a path).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crawler.ops.crawl_runner import crawl_settings, run_crawls
from storage.db import upgrade


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    upgrade(config["database_url"])
    settings = crawl_settings(config["database_url"], [Path(config["sources"])], config["overrides"])
    runs = run_crawls(config["keys"], settings, progress=None)
    stats = {run.source: run.stats for run in runs}
    Path(config["stats"]).write_text(json.dumps(stats, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
