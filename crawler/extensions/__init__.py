"""Scrapy extensions: job recording (and later metrics and health checks)."""
