"""Against a real `accord gateway serve` (uvicorn, httptools) on 127.0.0.1 with raw sockets:
request smuggling, slow clients, oversized headers, and reload on SIGHUP. Every wait is bounded."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml

from .conftest import CONTRACTS, FULL_KEY, free_port

pytestmark = pytest.mark.slow


class CountingUpstream:
    """A raw ASGI upstream in a thread that records every request line it serves."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.port = free_port()
        self.server: uvicorn.Server | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        self.seen.append(f"{scope['method']} {scope['path']}")
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"ok":true}'})

    def __enter__(self) -> CountingUpstream:
        config = uvicorn.Config(
            self, host="127.0.0.1", port=self.port, log_level="error", lifespan="off", ws="none"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        _wait_port(self.port)
        return self

    def __exit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.should_exit = True
        self.thread.join(5)


def _wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def _write_config(path: Path, upstream_port: int, **extra: Any) -> None:
    config = {
        "contracts": str(CONTRACTS),
        "upstreams": {"shop": {"url": f"http://127.0.0.1:{upstream_port}"}},
        "auth": {
            "apiKeys": {
                "clients": [
                    {
                        "id": "c",
                        "sha256": hashlib.sha256(FULL_KEY.encode()).hexdigest(),
                        "scopes": ["shop:read", "shop:write"],
                    }
                ]
            }
        },
        "validation": {"bodyTimeout": 1.0},
        "accessLog": {"path": str(path.parent / "access.log")},
        **extra,
    }
    path.write_text(yaml.safe_dump(config))


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[CountingUpstream, int, Path, subprocess.Popen[bytes]]]:
    folder = tmp_path_factory.mktemp("real")
    with CountingUpstream() as upstream:
        config = folder / "gateway.yaml"
        _write_config(config, upstream.port)
        port = free_port()
        log = (folder / "stderr.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "accord_cli.main",
                "gateway",
                "serve",
                "--config",
                str(config),
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            _wait_port(port)
            yield upstream, port, config, process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            log.close()


def exchange(port: int, data: bytes, timeout: float = 3.0, read_until_close: bool = False) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks: list[bytes] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if not read_until_close and b"\r\n\r\n" in b"".join(chunks):
                head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
                if b"transfer-encoding: chunked" in head.lower():
                    if rest.endswith(b"0\r\n\r\n"):
                        break
                    continue
                length = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
                if length and len(rest) >= int(length[0].split(b":")[1]):
                    break
        return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1") else 0


def test_plain_request_works(servers: Any) -> None:
    upstream, port, _, _ = servers
    response = exchange(port, b"GET /v1/public HTTP/1.1\r\nHost: gw\r\n\r\n")
    assert status_of(response) == 200 and b'{"ok":true}' in response
    assert "GET /v1/public" in upstream.seen


@pytest.mark.parametrize(
    "attack",
    [
        # CL.TE: a front end using Content-Length would see one request, a back end using TE two.
        b"POST /v1/public HTTP/1.1\r\nHost: gw\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\nGET /v1/smuggled HTTP/1.1\r\nHost: gw\r\n\r\n",
        # TE obfuscation
        b"POST /v1/public HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: xchunked\r\nContent-Length: 4\r\n\r\n"
        b"0\r\n\r\nGET /v1/smuggled HTTP/1.1\r\nHost: gw\r\n\r\n",
        # two different Content-Length values
        b"POST /v1/public HTTP/1.1\r\nHost: gw\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n"
        b"GET /v1/smuggled HTTP/1.1\r\nHost: gw\r\n\r\n",
        # obs-fold / whitespace before the colon
        b"GET /v1/public HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        # bare LF line endings with a smuggled request
        b"GET /v1/public HTTP/1.1\nHost: gw\nContent-Length: 0\n\nGET /v1/smuggled HTTP/1.1\nHost: gw\n\n",
    ],
)
def test_request_smuggling_is_refused(servers: Any, attack: bytes) -> None:
    upstream, port, _, _ = servers
    response = exchange(port, attack, timeout=2.0, read_until_close=True)
    statuses = [int(line.split(b" ")[1]) for line in response.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]
    assert 500 not in statuses
    assert not any("smuggled" in line for line in upstream.seen)


def test_oversized_headers_are_431(servers: Any) -> None:
    _, port, _, _ = servers
    response = exchange(port, b"GET /v1/public HTTP/1.1\r\nHost: gw\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
    assert status_of(response) == 431


def test_slow_header_client_does_not_block_others(servers: Any) -> None:
    _, port, _, _ = servers
    slow = socket.create_connection(("127.0.0.1", port), timeout=3)
    try:
        slow.sendall(b"GET /v1/public HTTP/1.1\r\nHost: gw\r\n")  # never finishes its headers
        started = time.monotonic()
        response = exchange(port, b"GET /v1/public HTTP/1.1\r\nHost: gw\r\n\r\n")
        assert status_of(response) == 200 and time.monotonic() - started < 1.0
    finally:
        slow.close()


def test_slow_body_times_out_with_408(servers: Any) -> None:
    upstream, port, _, _ = servers
    before = len(upstream.seen)
    head = (
        b"POST /v1/orders HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
        b"Idempotency-Key: slow-key-001\r\nX-API-Key: " + FULL_KEY.encode() + b'\r\n\r\n{"customerId":'
    )
    started = time.monotonic()
    response = exchange(port, head, timeout=4.0)
    assert status_of(response) == 408
    assert 0.8 < time.monotonic() - started < 3.5  # bodyTimeout is 1 s in this configuration
    assert len(upstream.seen) == before


def test_sighup_reloads_configuration(servers: Any) -> None:
    upstream, port, config, process = servers
    assert status_of(exchange(port, b"GET /v1/public HTTP/1.1\r\nHost: gw\r\n\r\n")) == 200
    _write_config(config, upstream.port, domains=["legacy"])
    os.kill(process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 10
    status = 200
    while time.monotonic() < deadline and status == 200:
        time.sleep(0.1)
        status = status_of(exchange(port, b"GET /v1/public HTTP/1.1\r\nHost: gw\r\n\r\n"))
    assert status == 404  # shop is no longer mounted: the new configuration is live
    ready = exchange(port, b"GET /readyz HTTP/1.1\r\nHost: gw\r\n\r\n")
    assert b'"reloads":1' in ready
    # a broken configuration is refused and the running one stays
    config.write_text("rateLimit: {backend: etcd}\n")
    os.kill(process.pid, signal.SIGHUP)
    time.sleep(0.5)
    assert process.poll() is None
    assert status_of(exchange(port, b"GET /readyz HTTP/1.1\r\nHost: gw\r\n\r\n")) == 200
    _write_config(config, upstream.port)
    os.kill(process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and status != 200:
        time.sleep(0.1)
        status = status_of(exchange(port, b"GET /v1/public HTTP/1.1\r\nHost: gw\r\n\r\n"))
    assert status == 200


def test_access_log_is_written_as_json_lines(servers: Any) -> None:
    _, port, config, _ = servers
    exchange(port, b"GET /v1/public HTTP/1.1\r\nHost: gw\r\n\r\n")
    time.sleep(0.2)
    lines = (config.parent / "access.log").read_text().splitlines()
    assert lines and '"route":"/v1/public"' in lines[-1]
