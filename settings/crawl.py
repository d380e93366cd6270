"""Scrapy settings for every crawl (``scrapy.cfg`` points here), with the ``NEWSAGG_*`` defaults.

Environment values come from :mod:`settings.environment`; nothing else here reads the environment.
Settings are grouped: Scrapy's own, then newsagg's, each alphabetical.
"""

from __future__ import annotations

from settings.environment import read_environment

_env = read_environment()

BOT_NAME = "newsagg"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Scrapy: politeness suited to news sites (they rate-limit aggressive crawlers) ---
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DEPTH_LIMIT = 3
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
# Caps against huge pages and compression bombs: news pages are rarely above a few MiB.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
HTTPCACHE_ENABLED = False
LOG_LEVEL = _env.log_level
REDIRECT_MAX_TIMES = 5
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_TIMES = 2
ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
USER_AGENT = "newsagg/0.1 (multilingual news crawler; obeys robots.txt)"

EXTENSIONS = {
    "crawler.extensions.jobs.JobRecorder": 500,
}

# extract → language → validate → dedupe → store → link, with gaps for later steps.
ITEM_PIPELINES = {
    "crawler.pipelines.extract.ExtractPipeline": 100,
    "crawler.pipelines.language.LanguagePipeline": 200,
    "crawler.pipelines.validate.ValidatePipeline": 300,
    "crawler.pipelines.dedupe.DedupePipeline": 400,
    "crawler.pipelines.store.StorePipeline": 500,
    "crawler.pipelines.link.LinkPipeline": 600,
}

# --- newsagg ---
# Alerts on runs that end degraded or failed (docs/operations.md): a webhook URL and/or a command.
NEWSAGG_ALERT_COMMAND = _env.alert_command
NEWSAGG_ALERT_WEBHOOK = _env.alert_webhook
NEWSAGG_DATABASE_URL = _env.database_url
# A running job whose row has not been updated for this many seconds is closed as failed.
NEWSAGG_JOB_STALE_AFTER = 600.0
NEWSAGG_JOB_TRIGGER = "manual"
NEWSAGG_JOB_UPDATE_INTERVAL = 10.0
# Without Redis, scheduled crawls of one source exclude each other through lock files in this folder.
NEWSAGG_LOCK_DIR = ""  # empty: <system temp folder>/newsagg-locks
# A crawl's per-source lock expires this many seconds after its holder stops refreshing it (dies).
NEWSAGG_LOCK_TTL = 60.0
NEWSAGG_REDIS_URL = _env.redis_url
# `newsagg schedule`: on SIGTERM, running crawls may go on for DRAIN seconds before they are asked to
# stop (and recorded as interrupted); those still running STOP_TIMEOUT seconds later are killed.
NEWSAGG_SCHEDULE_DRAIN = 0.0
NEWSAGG_SCHEDULE_STOP_TIMEOUT = 30.0
NEWSAGG_SOURCE_PATHS = [str(p) for p in _env.source_paths]
