"""Shared benchmark plumbing: the cache folder, on-demand npm and wrk installs, timing in subprocesses."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"
GITHUB_JSON = "node_modules/@octokit/openapi/generated/api.github.com.json"


def cache_dir() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


def npm_install(package: str, cache: Path | None = None) -> bool:
    """Install an npm package into the ignored cache folder (once). False when npm is unavailable."""
    folder = cache or cache_dir()
    name = (
        package if package.count("@") <= (1 if package.startswith("@") else 0) else package.rsplit("@", 1)[0]
    )
    if (folder / "node_modules" / name).exists():
        return True
    if shutil.which("npm") is None:
        return False
    result = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder), package],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result.returncode == 0


def github_description(cache: Path | None = None) -> Path | None:
    """The 12.7 MB GitHub REST description from npm `@octokit/openapi`, installed on demand."""
    folder = cache or cache_dir()
    path = folder / GITHUB_JSON
    if not path.exists() and not npm_install("@octokit/openapi", folder):
        return None
    return path if path.exists() else None


WRK_PACKAGES = ("wrk", "libluajit2-5.1-2")


def wrk_command(cache: Path | None = None) -> tuple[list[str], dict[str, str]] | None:
    """``wrk`` (argv prefix and environment): the one on PATH, or else Debian's package unpacked into
    the ignored cache folder on demand (``apt-get download``, no root needed). None when neither works.
    """
    on_path = shutil.which("wrk")
    if on_path:
        return [on_path], dict(os.environ)
    root = (cache or cache_dir()) / "tools" / "wrk"
    binary = root / "usr" / "bin" / "wrk"
    if not binary.exists() and shutil.which("apt-get") and shutil.which("dpkg-deb"):
        debs = root.parent / "debs"
        debs.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", *WRK_PACKAGES], cwd=debs, capture_output=True, timeout=300)
        for deb in sorted(debs.glob("*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], capture_output=True, timeout=120)
    if not binary.exists():
        return None
    libraries = [str(p) for p in (root / "usr" / "lib").glob("*-linux-gnu")]
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.pathsep.join([*libraries, env.get("LD_LIBRARY_PATH", "")]).rstrip(os.pathsep)
    probe = subprocess.run([str(binary), "--version"], capture_output=True, env=env, timeout=30)
    return ([str(binary)], env) if b"wrk" in probe.stdout + probe.stderr else None


_WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str) -> float | None:
    found = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    return round(float(found.group(1)) * _WRK_UNITS[found.group(2)], 3) if found else None


def parse_wrk(stdout: str) -> dict[str, Any]:
    """Requests/s, p50/p99 latency (ms, from ``--latency``), request and non-2xx counts of a wrk run;
    what wrk did not print is 0 (counts) or None (latencies)."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", stdout)
    p50 = re.search(r"^\s+50%\s+(\S+)", stdout, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", stdout, re.M)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", stdout)
    total = re.search(r"(\d+) requests in", stdout)
    return {
        "rps": round(float(rps.group(1))) if rps else 0,
        "p50_ms": _wrk_ms(p50.group(1)) if p50 else None,
        "p99_ms": _wrk_ms(p99.group(1)) if p99 else None,
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "tool": "wrk",
    }


def median_time(func: Callable[[], Any], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run_python(code: str, *args: str, timeout: float = 600) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; it must print one JSON object. Adds peak RSS in MB."""
    wrapper = (
        "import json, resource, sys\n"
        + code
        + "\nresult['peak_rss_mb'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)\n"
        "print(json.dumps(result))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip()[-2000:])
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


_MEASURE_CHILD = (
    "import resource, subprocess, sys, time, json\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "dt = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "print(json.dumps({'seconds': dt, 'rss': rss, 'code': p.returncode}))\n"
)


def timed_command(argv: list[str], repeat: int = 3, timeout: float = 900) -> dict[str, Any]:
    """Median wall time and peak RSS (MB) of an external command, each run in a fresh parent."""
    times: list[float] = []
    peak = 0.0
    code = 0
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-c", _MEASURE_CHILD, *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        times.append(result["seconds"])
        peak = max(peak, result["rss"])
        code = result["code"]
    return {"seconds": round(statistics.median(times), 3), "peak_rss_mb": round(peak, 1), "exit_code": code}


def ratio(value: float, baseline: float) -> float:
    return round(value / baseline, 2) if baseline else float("nan")
