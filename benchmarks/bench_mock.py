"""Mock server throughput and p99 latency against Prism, and `accord generate` time.

The mock serves one domain (``items``) on accord.serve (uvloop + httptools) in a subprocess, request
validation on; the load is ``GET /v1/items/{itemId}`` (a path parameter to validate) at 8
connections, from ``wrk`` (on PATH, or Debian's package unpacked into benchmarks/.cache on demand)
or else a bounded aiohttp client. Where Node is available, Prism (``@stoplight/prism-cli``, installed on demand into
benchmarks/.cache) mocks the same contract under the same load. Targets: at least 6x Prism's
throughput with p99 under 2 ms; all domains generated in under 10 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, npm_install, parse_wrk, ratio, wrk_command

DOMAIN = "items"
CONNECTIONS = 8
DURATION_S = 10
WARMUP_S = 2
PRISM = "@stoplight/prism-cli"
THROUGHPUT_TARGET_RATIO = 6.0
P99_TARGET_MS = 2.0
GENERATE_TARGET_S = 10.0
#: Prism enforces the declared security (401 without credentials): both servers get an API key.
AUTH = {"X-API-Key": "benchmark-key"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, timeout: float = 60.0) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = urllib.request.Request(url, headers=AUTH)
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:  # loopback only
                if answer.status < 500:
                    return
        except urllib.error.HTTPError as exc:  # before URLError: it is one
            if exc.code < 500:
                return
            time.sleep(0.2)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start within {timeout:.0f} s")


@contextlib.contextmanager
def _server(argv: list[str], ready_url: str) -> Iterator[subprocess.Popen[bytes]]:
    # Output goes to /dev/null: an unread pipe would fill up and stall a chatty server.
    proc = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait_ready(ready_url)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _item_path() -> str:
    from accord.contracts import load_contract_set

    contracts = load_contract_set([ROOT / "contracts"])
    doc = next(c.openapi for c in contracts.contracts() if c.domain == DOMAIN)
    assert doc is not None
    item = doc.data["paths"]["/v1/items/{itemId}"]
    example = next(p.get("example") for p in item.get("parameters", []) if p.get("name") == "itemId")
    return f"/v1/items/{example}"


def _wrk(url: str, wrk: tuple[list[str], dict[str, str]]) -> dict[str, Any]:
    header = [arg for name, value in AUTH.items() for arg in ("-H", f"{name}: {value}")]
    argv, env = wrk
    subprocess.run(
        [*argv, "-t1", f"-c{CONNECTIONS}", f"-d{WARMUP_S}s", *header, url],
        capture_output=True,
        check=False,
        env=env,
    )
    done = subprocess.run(
        [*argv, "-t1", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", "--latency", *header, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=DURATION_S + 60,
        env=env,
    )
    found = parse_wrk(done.stdout)
    assert found["rps"] and found["p99_ms"] is not None, done.stdout
    return {
        "tool": "wrk",
        "requests_per_s": found["rps"],
        "p99_ms": found["p99_ms"],
        "non_2xx": found["non_2xx"],
    }


def _aiohttp(url: str) -> dict[str, Any]:
    import aiohttp

    async def load(seconds: float, record: bool) -> tuple[int, list[float], int]:
        latencies: list[float] = []
        count = errors = 0
        stop = time.perf_counter() + seconds
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        async with aiohttp.ClientSession(connector=connector, headers=AUTH) as session:

            async def worker() -> None:
                nonlocal count, errors
                while time.perf_counter() < stop:
                    started = time.perf_counter()
                    async with session.get(url) as answer:
                        await answer.read()
                        if answer.status >= 300:
                            errors += 1
                    if record:
                        latencies.append(time.perf_counter() - started)
                    count += 1

            await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        return count, latencies, errors

    asyncio.run(load(WARMUP_S, False))
    started = time.perf_counter()
    count, latencies, errors = asyncio.run(load(DURATION_S, True))
    elapsed = time.perf_counter() - started
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) > 100 else float("nan")
    return {
        "tool": "aiohttp (client-bound: figures are a lower bound)",
        "requests_per_s": round(count / elapsed),
        "p99_ms": round(p99, 3),
        "non_2xx": errors,
    }


def _load(url: str) -> dict[str, Any]:
    wrk = wrk_command()
    return _wrk(url, wrk) if wrk else _aiohttp(url)


def _accord() -> list[str]:
    found = Path(sys.executable).with_name("accord")
    return [str(found)] if found.exists() else [sys.executable, "-m", "accord_cli.main"]


def _measure_accord(path: str) -> dict[str, Any]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with _server([*_accord(), "mock", DOMAIN, "--port", str(port)], f"{base}/_mock/health"):
        result = _load(base + path)
    result["server"] = "accord mock (accord.serve, uvloop, httptools; validation on)"
    return result


def _measure_prism(path: str, cache: Path) -> dict[str, Any] | None:
    if shutil.which("node") is None or not npm_install(PRISM, cache):
        return None
    binary = cache / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        return None
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    contract = ROOT / "contracts" / DOMAIN / "openapi.yaml"
    argv = [
        str(binary),
        "mock",
        str(contract),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--errors",
        "false",
        "--verboseLevel",
        "error",
    ]
    with _server(argv, base + path):
        result = _load(base + path)
    result["server"] = f"prism mock ({PRISM})"
    return result


def _generation_seconds() -> dict[str, Any]:
    times = []
    with tempfile.TemporaryDirectory(prefix="accord-bench-gen-") as tmp:
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(
                [*_accord(), "generate", "--out", str(Path(tmp) / "generated")],
                cwd=ROOT,
                check=True,
                capture_output=True,
                timeout=600,
            )
            times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    return {
        "all_domains_seconds": round(seconds, 2),
        "target_seconds": GENERATE_TARGET_S,
        "meets_target": seconds < GENERATE_TARGET_S,
    }


def run(cache_dir: Path) -> dict[str, Any]:
    """Measure the mock (and Prism beside it) and the generator; figures only, no stored baselines."""
    path = _item_path()
    accord = _measure_accord(path)
    prism = _measure_prism(path, cache_dir)
    result: dict[str, Any] = {
        "request": f"GET {path}",
        "connections": CONNECTIONS,
        "seconds": DURATION_S,
        "accord": accord,
        "prism": prism,
    }
    if prism is not None:
        speedup = ratio(accord["requests_per_s"], prism["requests_per_s"])
        result["throughput_ratio_vs_prism"] = speedup
        result["meets_target"] = speedup >= THROUGHPUT_TARGET_RATIO and accord["p99_ms"] < P99_TARGET_MS
    else:
        result["meets_target"] = accord["p99_ms"] < P99_TARGET_MS
        result["note"] = "Prism not measured (Node or npm unavailable)"
    result["generate"] = _generation_seconds()
    return result


if __name__ == "__main__":  # pragma: no cover
    import json

    from benchmarks._common import cache_dir

    print(json.dumps(run(cache_dir()), indent=2))
