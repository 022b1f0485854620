"""`python -m benchmarks [NAME ...]`: run every benchmark module (or the named ones) and print results.

Each module exposes ``run(cache_dir) -> dict``; figures are printed with the ratios each computes
against its baseline measured in the same run (never against stored numbers).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from benchmarks._common import cache_dir


def main(names: list[str]) -> int:
    available = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    chosen = names or available
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr
        )
        return 2
    failed = 0
    results = {}
    for name in chosen:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            results[name] = module.run(cache_dir())
        except Exception:  # a broken benchmark must not hide the others
            traceback.print_exc()
            failed += 1
            continue
        print(json.dumps(results[name], indent=2), flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    (cache_dir() / "last-results.json").write_text(json.dumps(results, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
