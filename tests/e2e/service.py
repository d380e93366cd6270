"""`newsagg serve` as a process of its own, and plain HTTP requests to it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


class Service:
    def __init__(self, db: str, *args: str, log: Path) -> None:
        self.db = db
        self.log = log
        self._err = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "serve", "--port", "0", "--db", db, *args],
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        assert first.startswith("newsagg serve: http://127.0.0.1:"), first + log.read_text()
        self.base = first.split()[2].rstrip("/")
        self.port = int(self.base.rsplit(":", 1)[1])

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(self.base + path, method=method, data=b"" if method == "POST" else None)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, _lower(response.headers), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, _lower(error.headers), error.read().decode("utf-8")

    def json(self, path: str) -> Any:
        status, _, body = self.get(path)
        assert status == 200, body
        return json.loads(body)

    def stop(self) -> str:
        """Stop with SIGINT as a user's Ctrl-C would; returns what it logged."""
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(timeout=30) == 0
        assert self.process.stdout is not None
        self.process.stdout.close()
        self._err.close()
        return self.log.read_text(encoding="utf-8")


def _lower(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}
