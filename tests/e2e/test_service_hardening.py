"""What the earlier stdlib service got wrong, each tried again against `newsagg serve` over HTTP:
huge or odd numbers, NUL bytes on PostgreSQL, control bytes in the log, a shallow listen backlog,
half-open connections, a revealing Server header and the database address on pages."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import upgrade

from ..conftest import DemoDatabase, fresh_postgres_database
from .service import Service

BAD_NUMBERS = ["9223372036854775808", "9223372036854775807", "9" * 4301, "-1", "0", "1e3", "%C2%B2"]


@pytest.fixture(scope="module")
def service(demo_database: DemoDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    server = Service(demo_database.url, "--head-timeout", "2", log=tmp_path_factory.mktemp("hard") / "serve.log")
    yield server
    server.stop()


@pytest.mark.parametrize("number", BAD_NUMBERS)
def test_an_id_no_article_can_have_is_a_client_error(service: Service, number: str):
    for path in (f"/api/articles/{number}", f"/articles/{number}"):
        status, _, body = service.get(path)
        assert status in (404, 422), (path[:80], status)
        assert len(body) < 5000, "the error does not echo a huge input"
    for path in (f"/api/articles?limit={number}", f"/api/jobs?limit={number}"):
        status, _, body = service.get(path)
        assert status == 422 and json.loads(body)["error"].startswith("limit: ")


def test_page_sizes_are_capped(service: Service, demo_database: DemoDatabase):
    stored = demo_database.summary["articles"]
    assert len(service.json("/api/articles?limit=200")["items"]) == min(stored, 200)
    status, _, body = service.get("/api/articles?limit=201")
    assert status == 422 and json.loads(body) == {"error": "limit: Input should be less than or equal to 200"}


@pytest.mark.postgres
def test_on_postgresql_the_largest_ids_and_nul_bytes_are_client_errors(tmp_path: Path):
    with fresh_postgres_database() as url:
        upgrade(url)
        server = Service(url, "--quiet", log=tmp_path / "serve.log")
        try:
            for path in (
                "/api/articles/9223372036854775807",
                "/api/articles/2147483648",
                "/api/articles?source=a%00b",
                "/api/articles?q=a%00b",
                "/api/articles?lang=r%00",
                "/api/jobs?source=%00",
                "/api/stories/g9223372036854775807",
                "/?source=%00",
            ):
                status, _, body = server.get(path)
                assert 400 <= status < 500, (path, status, body[:200])
            assert server.get("/api/articles/2147483647")[0] == 404
            assert server.json("/api/articles?q=anything") == {"items": [], "next_cursor": None}
        finally:
            server.stop()


def test_control_bytes_in_a_request_never_reach_the_log_raw(service: Service):
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as conn:
        conn.sendall(b"GET /nowhere%1b%5b2J%0d%1b]0;owned%07?x=%1b%0d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert conn.recv(100).startswith(b"HTTP/1.1 404")
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as conn:
        conn.sendall(b"GET /raw\x1b[2J\r HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert conn.recv(100).startswith(b"HTTP/1.1 400")
    assert service.get("/healthz")[0] == 200  # the line after ours is written: ours are in the log
    log = service.log.read_text(encoding="utf-8")
    assert "GET /nowhere\\x1b[2J" in log and "\\x1b]0;owned\\x07?x=%1b%0d 404" in log
    assert "\x1b" not in log and "\r" not in log and "\x07" not in log


def test_the_listen_backlog_is_deep(service: Service):
    listing = subprocess.run(
        ["ss", "-ltnH", f"sport = :{service.port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    # For a listening socket, ss shows the backlog as Send-Q (the third column).
    assert int(listing[2]) >= 1024, listing


def test_half_open_connections_hold_nothing_and_are_closed(service: Service):
    stalled = []
    for _ in range(50):
        conn = socket.create_connection(("127.0.0.1", service.port), timeout=60)
        conn.sendall(b"GET /api/jobs HTTP/1.1\r\nHost: x\r\n")  # no blank line: the head never ends
        stalled.append(conn)
    try:
        # 50 stalled clients do not keep the next one waiting.
        assert service.get("/api/jobs")[0] == 200
        for conn in stalled:
            assert conn.recv(1024) == b"", "the server closes a connection whose head never completes"
    finally:
        for conn in stalled:
            conn.close()


def test_headers_name_no_server_software_and_pages_no_database(service: Service, demo_database: DemoDatabase):
    database_file = demo_database.url.split("///", 1)[1]
    for path in ("/", f"/articles/{demo_database.hostile_id}", "/nowhere", "/api/stats", "/api/articles/0"):
        _, headers, body = service.get(path)
        assert "server" not in headers
        assert "python" not in json.dumps(headers).lower()
        assert database_file not in body and "sqlite" not in body
