"""Configuration only: environment, Scrapy settings and the source registry."""
