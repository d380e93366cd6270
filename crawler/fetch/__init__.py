"""Downloader middlewares and the checks they use: seen URLs, conditional GET, retries, redirects, limits."""
