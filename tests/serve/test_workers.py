"""Pre-forked workers (accord.serve.workers): one socket, several processes, supervised.

Each supervisor runs in a subprocess of its own (it forks and takes over signals); its workers
answer with their process id, so the tests can see which process served a request."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from accord.errors import ServeError
from accord.serve.workers import bind
from tests._serving import child_pids

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import asyncio, logging, os, sys
from accord.serve import Server, serve
from accord.serve.workers import Supervisor, bind

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/slow":
        await asyncio.sleep(0.2)
    body = str(os.getpid()).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})

def worker(sock):
    if sys.argv[1] == "fail":
        return 3
    asyncio.run(serve(app, "127.0.0.1", 0, sock=sock))
    return 0

logging.basicConfig(level=logging.WARNING)
sock = bind("127.0.0.1", 0)
print(sock.getsockname()[1], flush=True)
sys.exit(Supervisor(sock, 2, worker, graceful_timeout=2.0).run())
"""


def _get(port: int, path: str = "/") -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data
    return int(data.split(b"\r\n\r\n", 1)[1])


@contextmanager
def supervisor(mode: str = "serve") -> Iterator[tuple[subprocess.Popen[str], int]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def _wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_workers_share_the_port_and_a_dead_worker_is_replaced() -> None:
    with supervisor() as (proc, port):
        _wait_for(lambda: len(child_pids(proc.pid)) == 2)
        workers = child_pids(proc.pid)
        served: set[int] = set()
        with ThreadPoolExecutor(16) as pool:
            for _ in range(5):  # concurrent slow requests: both workers take some
                served.update(pool.map(lambda _: _get(port, "/slow"), range(32)))
                if served == workers:
                    break
        assert served == workers
        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        _wait_for(lambda: len(child_pids(proc.pid)) == 2 and victim not in child_pids(proc.pid))
        assert _get(port) in child_pids(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_workers_that_keep_failing_at_start_up_stop_the_group() -> None:
    with supervisor("fail") as (proc, _):
        started = time.monotonic()
        assert proc.wait(15) == 1
        assert time.monotonic() - started < 10
        assert proc.stderr is not None
        assert "workers keep failing at start-up (last exit 3): stopping" in proc.stderr.read()


def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            ServeError, match=f"(?i)cannot listen on 127.0.0.1:{port}: address already in use"
        ):
            bind("127.0.0.1", port)
