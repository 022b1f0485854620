"""Loader benchmark: load + source map + validation, as a ratio against the bare parse of the same file.

Bare parse: libyaml's C loader (``yaml.load(..., CSafeLoader)``) for YAML, ``orjson.loads`` for JSON.
Targets (issue 3): within 3x of the bare parse; under 1 s for 1 MB YAML, under 1.5 s for the 12.7 MB JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks._common import cache_dir, github_description, ratio, run_python
from benchmarks.synthetic import write_multi_file, write_single

_MEASURE = """
import time, sys
from pathlib import Path
path = Path(sys.argv[1])
files = [path] if len(sys.argv) < 3 else sorted(path.parent.glob('*.yaml'))
raws = [f.read_bytes() for f in files]
raw = b''.join(raws)
def bare():
    for one in raws:
        if path.suffix == '.json':
            import orjson; orjson.loads(one)
        else:
            import yaml; yaml.load(one, Loader=yaml.CSafeLoader)
from accord.loader import load_document
from accord.validation import validate_document
def full():
    doc = load_document(path, root=path.parent)
    errors = validate_document(doc)
    # source map: locate every operation (forces the position index of every file involved)
    from accord.spec import iter_operations
    for op in list(iter_operations(doc))[:200]:
        doc.where(op.node)
    return errors
def median(f, n=3):
    xs = []
    for _ in range(n):
        t = time.perf_counter(); f(); xs.append(time.perf_counter() - t)
    return sorted(xs)[len(xs) // 2]
bare_s = median(bare)
full_s = median(full)
result = {'bare_parse_s': round(bare_s, 3), 'accord_s': round(full_s, 3), 'bytes': len(raw)}
"""


def _measure(path: Path, whole_folder: bool = False) -> dict[str, Any]:
    result = run_python(_MEASURE, str(path), *(["--folder"] if whole_folder else []))
    result["ratio_to_bare_parse"] = ratio(result["accord_s"], result["bare_parse_s"])
    return result


def run(cache: Path | None = None) -> dict[str, Any]:
    folder = cache or cache_dir()
    results: dict[str, Any] = {}
    results["synthetic_1mb_yaml"] = _measure(write_single(folder / "synthetic"))
    multi = write_multi_file(folder / "synthetic-multi")
    results["synthetic_multi_file"] = _measure(multi, whole_folder=True)
    github = github_description(folder)
    if github is not None:
        results["github_12_7mb_json"] = _measure(github)
    else:
        results["github_12_7mb_json"] = {"skipped": "npm unavailable"}
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
