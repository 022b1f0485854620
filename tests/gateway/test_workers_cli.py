"""`accord gateway serve --workers N`: pre-forked workers on one port, with Redis-backed state.

A real gateway process with two workers in front of a counting upstream: requests are served,
SIGHUP reloads every worker, SIGTERM stops the group; in-memory state is refused up front."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from accord_cli.main import cli
from click.testing import CliRunner

from tests._serving import child_pids

from .conftest import free_port
from .test_real_server import CountingUpstream, _wait_port, _write_config, exchange, status_of

pytestmark = pytest.mark.slow
GET_PUBLIC = b"GET /v1/public HTTP/1.1\r\nHost: gw\r\n\r\n"
READY = b"GET /readyz HTTP/1.1\r\nHost: gw\r\n\r\n"


def test_workers_with_in_memory_state_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "gateway.yaml"
    _write_config(config, free_port())
    result = CliRunner().invoke(cli, ["gateway", "serve", "--config", str(config), "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers 2 needs state the workers share" in result.stderr
    assert "rateLimit.backend is memory and idempotency.backend is memory" in result.stderr


def test_workers_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "gateway.yaml"
    _write_config(config, free_port())
    result = CliRunner().invoke(cli, ["gateway", "serve", "--config", str(config), "--workers", "0"])
    assert result.exit_code == 2 and "--workers" in result.stderr


def test_two_workers_serve_reload_together_and_stop(tmp_path: Path, redis_prefix: str) -> None:
    redis = {"rateLimit": {"backend": "redis"}, "idempotency": {"backend": "redis"}}
    redis["redis"] = {"prefix": redis_prefix}
    with CountingUpstream() as upstream:
        config = tmp_path / "gateway.yaml"
        _write_config(config, upstream.port, **redis)
        port = free_port()
        argv = [sys.executable, "-m", "accord_cli.main", "gateway", "serve", "--config", str(config)]
        process = subprocess.Popen(
            [*argv, "--port", str(port), "--workers", "2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_port(port)
            deadline = time.monotonic() + 10
            while len(child_pids(process.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(child_pids(process.pid)) == 2
            for _ in range(6):
                assert status_of(exchange(port, GET_PUBLIC)) == 200
            assert upstream.seen.count("GET /v1/public") == 6
            _write_config(config, upstream.port, domains=["legacy"], **redis)
            os.kill(process.pid, signal.SIGHUP)  # passed on to every worker
            deadline = time.monotonic() + 10
            reloaded = 0
            while reloaded < 8 and time.monotonic() < deadline:
                ready = exchange(port, READY)
                reloaded = reloaded + 1 if b'"reloads":1' in ready else 0
                time.sleep(0.05)
            assert reloaded == 8  # eight answers in a row from reloaded workers
            assert status_of(exchange(port, GET_PUBLIC)) == 404  # the new configuration is live
            workers = child_pids(process.pid)
            process.send_signal(signal.SIGTERM)
            assert process.wait(15) == 0
            assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
            assert process.stderr is not None
            assert "listening on http://127.0.0.1:" in process.stderr.read()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(5)
            if process.stderr is not None:
                process.stderr.close()
