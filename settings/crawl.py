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
# Links followed from listings and pages, at most this deep: ends infinite calendars and pagination.
DEPTH_LIMIT = 3
DOWNLOAD_DELAY = 0.5
# Seconds for a whole download, body included: a server dripping bytes is cut off too.
DOWNLOAD_TIMEOUT = 30
# Caps against huge pages and compression bombs: news pages are rarely above a few MiB. The cap holds
# for the body as received and, through HttpCompressionMiddleware, as decompressed (gzip, deflate, br,
# zstd), so a bomb stops at the cap (counted errors/too_large). Feeds and sitemaps get
# NEWSAGG_LISTING_MAXSIZE instead.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
HTTPCACHE_ENABLED = False
# Items are logged as their URL, never with the page they carry (crawler/ops/log_formatter.py).
LOG_FORMATTER = "crawler.ops.log_formatter.ShortItemLogFormatter"
LOG_LEVEL = _env.log_level
# A <meta http-equiv=refresh> with a longer delay is a page in its own right, not a redirect.
METAREFRESH_MAXDELAY = 10
# Chains longer than this end as errors/too_many_redirects; loops end at once (crawler/fetch/redirects.py).
REDIRECT_MAX_TIMES = 5
# The spider logs each failed page as one line with its URL and reason; the retry middleware need not repeat it.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_TIMES = 2
ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
# Nothing else may listen either: Scrapy's remote-control endpoint stays off, like the telnet console.
REMOTE_CONTROL_ENABLED = False
# The database's URL columns hold 2048 characters (crawler/limits.py MAX_URL_LENGTH); longer is a trap.
URLLENGTH_LIMIT = 2048
USER_AGENT = "newsagg/0.1 (multilingual news crawler; obeys robots.txt)"

EXTENSIONS = {
    "crawler.ops.job_recorder.JobRecorder": 500,
    # Names downloads cut off at DOWNLOAD_MAXSIZE (errors/too_large) apart from other cancellations.
    "crawler.fetch.sizes.DownloadSizeRecorder": 100,
}

# Incremental crawling (crawler/fetch/incremental.py): known article pages are skipped before robots.txt is
# consulted; feeds and sitemaps get conditional GETs.
DOWNLOADER_MIDDLEWARES = {
    "crawler.fetch.incremental.SeenUrlMiddleware": 50,
    "crawler.fetch.conditional_get.ConditionalGetMiddleware": 545,
    # Just before RetryMiddleware (550): waits for Retry-After or with backoff, then lets it retry.
    "crawler.fetch.retry_after.RetryAfterMiddleware": 560,
    # Just before RedirectMiddleware (600): a redirect back into its own chain fails as redirect_loop.
    "crawler.fetch.redirects.RedirectLoopMiddleware": 610,
}

# extract → language → validate → (dedupe → store → link: one transaction per item, on a writer thread).
ITEM_PIPELINES = {
    "crawler.pipelines.extract.ExtractPipeline": 100,
    "crawler.pipelines.language.LanguagePipeline": 200,
    "crawler.pipelines.validate.ValidatePipeline": 300,
    "crawler.pipelines.persist.PersistPipeline": 400,
}

# --- newsagg ---
# Alerts on runs that end degraded or failed (docs/operations.md): a webhook URL and/or a command.
NEWSAGG_ALERT_COMMAND = _env.alert_command
NEWSAGG_ALERT_WEBHOOK = _env.alert_webhook
# Seconds a Redis claim on a page outlives its last renewal: the holder renews its claims every third of
# this while it lives, so a killed process's pages go to the next crawl within this time.
NEWSAGG_CLAIM_TTL = 30
# Feeds and sitemaps are fetched with If-None-Match / If-Modified-Since.
NEWSAGG_CONDITIONAL_GET = True
# Content linking (crawler/linking/article_linker.py): at most this many other-language candidates are scored per
# article, and a pair is linked from this content score up (docs/linking.md: chosen on data).
NEWSAGG_CONTENT_LINK_MAX_CANDIDATES = 400
NEWSAGG_CONTENT_LINK_THRESHOLD = 0.22
NEWSAGG_DATABASE_URL = _env.database_url
# Seconds an item's unit of work is repeated through a database outage before the item fails.
NEWSAGG_DB_RETRY_SECONDS = 60.0
# A running job whose row has not been updated for this many seconds is closed as failed.
NEWSAGG_JOB_STALE_AFTER = 600.0
NEWSAGG_JOB_TRIGGER = "manual"
NEWSAGG_JOB_UPDATE_INTERVAL = 10.0
# Content-link candidates are published at most this many hours before or after the article.
NEWSAGG_LINK_WINDOW_HOURS = 24.0
# Cap on a feed or sitemap, as received and decompressed (the sitemap protocol allows 50 MiB); larger
# ones are refused (errors/too_large or errors/bad_feed) without reading the rest.
NEWSAGG_LISTING_MAXSIZE = 50 * 1024 * 1024
# Without Redis, scheduled crawls of one source exclude each other through lock files in this folder.
NEWSAGG_LOCK_DIR = ""  # empty: <system temp folder>/newsagg-locks
# A crawl's per-source lock expires this many seconds after its holder stops refreshing it (dies).
NEWSAGG_LOCK_TTL = 60.0
# Estimated Jaccard similarity of 5-word shingles (title + body) from which a page of the same language
# is recorded as a near duplicate of a stored article (crawler/dedup/near_index.py).
NEWSAGG_NEAR_DUPLICATE_THRESHOLD = 0.5
# A stored page is fetched again when its feed or sitemap lastmod says it changed, or RECRAWL_INTERVAL
# seconds after its last fetch while it is younger than RECRAWL_MAX_AGE seconds (0: no age-based re-fetch).
NEWSAGG_RECRAWL_INTERVAL = 6 * 3600
NEWSAGG_RECRAWL_MAX_AGE = 2 * 86400
# Keys in the shared Redis start with this prefix (several deployments or tests can share one server).
NEWSAGG_REDIS_PREFIX = _env.redis_prefix
NEWSAGG_REDIS_URL = _env.redis_url
# Longest wait before a retry (crawler/fetch/retry_after.py): a Retry-After asking for more is not retried.
NEWSAGG_RETRY_AFTER_MAX = 120.0
# Seconds before the first retry of a 5xx or a failed connection, doubled for each further retry.
NEWSAGG_RETRY_BACKOFF = 1.0
# Pages that could not be stored through a database outage (NEWSAGG_DB_RETRY_SECONDS) are kept here, in a
# folder per database, until the next crawl of their source or `newsagg db replay` stores them.
NEWSAGG_SPOOL_DIR = ""  # empty: ./newsagg-spool
# `newsagg schedule`: on SIGTERM, running crawls may go on for DRAIN seconds before they are asked to
# stop (and recorded as interrupted); those still running STOP_TIMEOUT seconds later are killed.
NEWSAGG_SCHEDULE_DRAIN = 0.0
NEWSAGG_SCHEDULE_STOP_TIMEOUT = 30.0
# Article pages already stored are not downloaded again (see NEWSAGG_RECRAWL_*).
NEWSAGG_SKIP_SEEN_URLS = True
NEWSAGG_SOURCE_PATHS = [str(p) for p in _env.source_paths]
# Articles sharing a declared URL id (translations: url_id) are linked only when published at most
# this many days apart: two editions that number independently share ids by chance, years apart.
NEWSAGG_URL_ID_MAX_DAYS = 7.0
