"""CPU time per stage of a crawl, for bench/pipeline.py: wrappers installed in the crawl's own process only.

Each wrapped method adds the CPU time of its thread (``time.thread_time``) to its stage, so work on the
writer thread and on the reactor thread are both counted and neither counts the other. Generators (spider
callbacks) are timed across their whole iteration. Stages nest (following links is part of
``parse_article``); the table says which.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

TOTALS: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
ORDER: list[str] = []  # stages in the order they were wrapped: a nested stage after the one holding it


def _record(name: str, seconds: float) -> None:
    entry = TOTALS[name]
    entry[0] += 1
    entry[1] += seconds


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
        return function  # awaiting lets the reactor run other work on this thread: not measurable this way
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            spent = 0.0
            inner = function(*args, **kwargs)
            try:
                while True:
                    start = time.thread_time()
                    try:
                        value = next(inner)
                    except StopIteration:
                        return
                    finally:
                        spent += time.thread_time() - start
                    yield value
            finally:
                _record(name, spent)

        return generator

    @functools.wraps(function)
    def plain(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            _record(name, time.thread_time() - start)

    return plain


def wrap(path: str, method: str, name: str | None = None) -> None:
    """Time ``module.Class.method`` (given as ``module:Class``) as stage ``name``, if it exists."""
    module_name, _, class_name = path.partition(":")
    try:
        owner = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return
    wrap_class(owner, method, name or f"{class_name}.{method}")


def wrap_class(owner: type, method: str, name: str) -> None:
    function = inspect.getattr_static(owner, method, None)
    if function is None or not callable(function):
        return
    function = getattr(function, "__wrapped__", function)
    if name not in ORDER:
        ORDER.append(name)
    setattr(owner, method, _timed(name, function))


def wrap_downloader_middlewares(settings: Any) -> None:
    from scrapy.utils.conf import build_component_list

    for path in build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES")):
        module, _, cls = path.rpartition(".") if isinstance(path, str) else (path.__module__, "", path.__name__)
        for method in ("process_request", "process_response", "process_exception"):
            wrap(f"{module}:{cls}", method, f"downloader mw {cls}.{method}")


def wrap_newsagg(settings: Any) -> None:
    wrap_downloader_middlewares(settings)
    spider = "crawler.spiders.news:NewsSpider"
    wrap(spider, "parse_listing", "spider parse_listing")
    wrap(spider, "parse_article", "spider parse_article")
    wrap(spider, "_follow_article_links", "  spider _follow_article_links")
    wrap(spider, "article_request", "    spider article_request (listings and links)")
    wrap("crawler.pipelines.extract:ExtractPipeline", "process_item", "pipeline extract")
    wrap("crawler.pipelines.language:LanguagePipeline", "process_item", "pipeline language")
    wrap("crawler.pipelines.validate:ValidatePipeline", "process_item", "pipeline validate")
    wrap("crawler.pipelines.persist:PersistPipeline", "persist", "pipeline persist (unit of work, all)")
    wrap("crawler.pipelines.dedupe:DedupeStep", "process", "  persist: dedupe")
    wrap("crawler.pipelines.store:StoreStep", "process", "  persist: store")
    wrap("crawler.pipelines.link:LinkStep", "process", "  persist: link")
    for method in ("refresh", "declared", "resolve_pending", "recheck", "url_ids", "content"):
        wrap("crawler.linking.article_linker:Linker", method, f"    link: {method}")
    wrap("crawler.pipelines.store:StoreStep", "after_commit", "  persist: after commit")


def wrap_bare(settings: Any, spider: type) -> None:
    wrap_downloader_middlewares(settings)
    wrap_class(spider, "parse", "spider parse (trafilatura.extract)")
    wrap("scrapy.spiders.sitemap:SitemapSpider", "_parse_sitemap", "spider sitemap")


def totals() -> dict[str, tuple[int, float]]:
    return {name: (int(TOTALS[name][0]), TOTALS[name][1]) for name in ORDER if name in TOTALS}
