"""Tell someone when a run ends degraded or failed: a webhook, a command, or both.

The webhook receives a JSON POST; the command gets the same JSON on its standard input and the
essentials in ``NEWSAGG_JOB_*`` environment variables. ``text`` is a one-line summary, so chat
webhooks that show a ``text`` field (Slack, Mattermost, Rocket.Chat) work without glue. Alerting
never fails the crawl: a hook that cannot be reached is logged and skipped.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

ALERT_STATUSES = ("degraded", "failed")
TIMEOUT = 15.0  # seconds for either hook: an alert must not hold up the crawl's end for long


@dataclass(frozen=True)
class AlertHooks:
    webhook: str | None = None
    command: str | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> AlertHooks:
        """From a Scrapy ``Settings`` (or any mapping with ``get``)."""
        return cls(
            webhook=settings.get("NEWSAGG_ALERT_WEBHOOK") or None,
            command=settings.get("NEWSAGG_ALERT_COMMAND") or None,
        )

    @property
    def configured(self) -> bool:
        return bool(self.webhook or self.command)


def summary(job: Mapping[str, Any]) -> str:
    editions = f" [{','.join(job['langs'])}]" if job.get("langs") else ""
    return f"newsagg: job {job['id']} ({job['source']}{editions}) {job['status']}: {job.get('reason') or 'no reason'}"


def payload(job: Mapping[str, Any]) -> dict[str, Any]:
    return {"text": summary(job), "job": dict(job)}


def notify(hooks: AlertHooks, job: Mapping[str, Any]) -> list[str]:
    """Send the alert for ``job`` (a :func:`storage.jobs.job_dict`) if its status calls for one.

    Returns the problems met, one line each (also logged); empty when every hook worked.
    """
    if job.get("status") not in ALERT_STATUSES or not hooks.configured:
        return []
    body = json.dumps(payload(job), ensure_ascii=False, default=str).encode("utf-8")
    problems = []
    if hooks.webhook:
        problems += _post(hooks.webhook, body)
    if hooks.command:
        problems += _run(hooks.command, body, job)
    for problem in problems:
        log.warning("alert for job %s: %s", job.get("id"), problem)
    return problems


def _post(url: str, body: bytes) -> list[str]:
    if not url.startswith(("http://", "https://")):
        return [f"webhook {url!r} is not an http(s) URL"]
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return [f"webhook {url} failed: {exc}"]
    return []


def _run(command: str, body: bytes, job: Mapping[str, Any]) -> list[str]:
    env = {
        **os.environ,
        "NEWSAGG_JOB_ID": str(job.get("id")),
        "NEWSAGG_JOB_SOURCE": str(job.get("source")),
        "NEWSAGG_JOB_STATUS": str(job.get("status")),
        "NEWSAGG_JOB_REASON": str(job.get("reason") or ""),
    }
    try:
        done = subprocess.run(shlex.split(command), input=body, env=env, capture_output=True, timeout=TIMEOUT)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        return [f"command {command!r} failed: {exc}"]
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return [f"command {command!r} exited with status {done.returncode} {tail[0]}".rstrip()]
    return []
