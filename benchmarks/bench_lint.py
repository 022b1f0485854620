"""Lint benchmark: Accord against Redocly CLI and Spectral on the same files, in the same run.

Anchors (../shared/ANCHORS.md, 2 vCPU): Redocly 3.95 s / 411 MB and Spectral 59 s / 2.2 GB on the
12.7 MB GitHub description; 0.54 s and 1.67 s cold on the ~270 KB subset. Targets: >= 2x faster
than Redocly on the big document within 400 MB; <= 0.3 s cold on the subset; corpus < 1 s.
Spectral on the big document takes about a minute; it is skipped unless ACCORD_BENCH_SPECTRAL_BIG=1.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, cache_dir, github_description, npm_install, ratio, timed_command
from benchmarks.subset import github_subset
from benchmarks.synthetic import write_single

ACCORD = [sys.executable, "-m", "accord_cli.main", "lint", "--format", "json", "--fail-severity", "error"]


def _peers(folder: Path) -> dict[str, list[str]]:
    peers: dict[str, list[str]] = {}
    if shutil.which("node") is None:
        return peers
    if npm_install("@redocly/cli", folder):
        peers["redocly"] = [
            "node",
            str(folder / "node_modules/@redocly/cli/bin/cli.js"),
            "lint",
            "--extends",
            "recommended",
            "--format",
            "json",
        ]
    if npm_install("@stoplight/spectral-cli", folder):
        ruleset = folder / ".spectral.yaml"
        ruleset.write_text('extends: ["spectral:oas"]\n')
        peers["spectral"] = [
            "node",
            str(folder / "node_modules/@stoplight/spectral-cli/dist/index.js"),
            "lint",
            "--ruleset",
            str(ruleset),
            "--format",
            "json",
            "--quiet",
        ]
    return peers


def run(cache: Path | None = None) -> dict[str, Any]:
    folder = cache or cache_dir()
    results: dict[str, Any] = {}
    results["corpus"] = timed_command([*ACCORD, str(ROOT / "contracts")])
    results["synthetic_1mb"] = timed_command([*ACCORD, str(write_single(folder / "synthetic"))])
    big = github_description(folder)
    if big is None:
        results["github"] = {"skipped": "npm unavailable"}
        return results
    small = github_subset(big, folder / "github-subset.json")
    peers = _peers(folder)
    for label, path, repeat in (("github_subset_270kb", small, 5), ("github_12_7mb", big, 3)):
        entry: dict[str, Any] = {"accord": timed_command([*ACCORD, str(path)], repeat=repeat)}
        for name, argv in peers.items():
            if (
                name == "spectral"
                and label == "github_12_7mb"
                and not os.environ.get("ACCORD_BENCH_SPECTRAL_BIG")
            ):
                entry[name] = {"skipped": "set ACCORD_BENCH_SPECTRAL_BIG=1 (about 60 s, 2.2 GB)"}
                continue
            entry[name] = timed_command([*argv, str(path)], repeat=1 if label == "github_12_7mb" else 3)
            entry[f"speedup_vs_{name}"] = ratio(entry[name]["seconds"], entry["accord"]["seconds"])
            entry[f"memory_ratio_vs_{name}"] = ratio(
                entry["accord"]["peak_rss_mb"], entry[name]["peak_rss_mb"]
            )
        results[label] = entry
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
