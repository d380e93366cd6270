"""Item pipeline steps, one module each, in the order of ``settings.crawl.ITEM_PIPELINES``."""
