"""newsagg crawler: Scrapy components, page parsing helpers and the demo site."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsagg")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
