"""Scrapy extensions that watch a crawl: the crawl_jobs record."""
