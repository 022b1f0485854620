"""``accord generate``: write ``generated/`` from the contracts, or check that it is up to date.

Exit codes: 0 written / up to date, 1 ``--check`` found drift (a unified diff is printed), 2 usage
or unreadable contracts.
"""

from __future__ import annotations

import difflib
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from accord.codegen import generate_sources, is_generated
from accord.contracts import load_contract_set
from accord.errors import UsageError
from accord_cli._errors import Failed, report_errors
from accord_cli._output import console

#: The house rules the generated code is fixed and formatted with, independent of any local config.
RUFF_SETTINGS = (
    "--isolated",
    "--line-length",
    "110",
    "--target-version",
    "py311",
)
_FIX_RULES = "I,F401,UP"


def _ruff() -> list[str]:
    if importlib.util.find_spec("ruff") is not None:
        return [sys.executable, "-m", "ruff"]
    found = shutil.which("ruff")
    if found:
        return [found]
    raise UsageError("ruff is needed to format generated code (pip install ruff)")


def format_sources(files: dict[str, str]) -> dict[str, str]:
    """Sort imports and format every Python file with ruff (deterministic: isolated, fixed settings)."""
    ruff = _ruff()
    with tempfile.TemporaryDirectory(prefix="accord-generate-") as tmp:
        root = Path(tmp) / "generated"
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        first_party = ["--config", "lint.isort.known-first-party=['accord', 'generated']"]
        steps = [
            [
                *ruff,
                "check",
                *RUFF_SETTINGS,
                *first_party,
                "--select",
                _FIX_RULES,
                "--fix",
                "--quiet",
                "--exit-zero",
                "--no-cache",
                str(root),
            ],
            [*ruff, "format", *RUFF_SETTINGS, "--quiet", "--no-cache", str(root)],
            # Contract prose may hold typographic characters (x, minus signs) that ruff calls ambiguous.
            [
                *ruff,
                "check",
                *RUFF_SETTINGS,
                "--select",
                "RUF001,RUF002,RUF003",
                "--add-noqa",
                "--quiet",
                "--no-cache",
                str(root),
            ],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise UsageError(
                    f"ruff failed on generated code: {done.stderr.strip() or done.stdout.strip()}"
                )
        return {rel: (root / rel).read_text(encoding="utf-8") for rel in files}


def _contracts_path(given: str | None) -> str:
    if given:
        return given
    return "contracts" if Path("contracts").is_dir() else "."


def _scope(rel: str, packages: Sequence[str] | None) -> bool:
    if packages is None:
        return True
    top = rel.split("/", 1)[0]
    return "/" not in rel or top == "common" or top in packages


def existing_generated(out: Path, packages: Sequence[str] | None) -> dict[str, str]:
    """Files under ``out`` that carry the do-not-edit header (in scope of ``packages``)."""
    found: dict[str, str] = {}
    if not out.is_dir():
        return found
    for path in sorted(out.rglob("*.py")):
        rel = path.relative_to(out).as_posix()
        if not _scope(rel, packages):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if is_generated(text):
            found[rel] = text
    return found


def drift(expected: dict[str, str], current: dict[str, str], out: Path) -> list[str]:
    """Unified diffs (one per file) between what is on disk and what generation produces."""
    diffs: list[str] = []
    for rel in sorted(set(expected) | set(current)):
        want, have = expected.get(rel), current.get(rel)
        if want == have:
            continue
        name = (out / rel).as_posix()
        lines = difflib.unified_diff(
            (have or "").splitlines(keepends=True),
            (want or "").splitlines(keepends=True),
            fromfile=name if have is not None else "/dev/null",
            tofile=name if want is not None else "/dev/null",
        )
        diffs.append("".join(lines))
    return diffs


@click.command("generate")
@click.argument("domains", nargs=-1)
@click.option(
    "--out",
    "out",
    default="generated",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write (a Python package: import it as `generated.<domain>`).",
)
@click.option(
    "--contracts",
    "contracts",
    default=None,
    type=click.Path(exists=True),
    help="Contract catalogue folder or accord.yaml (default: ./contracts).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a diff when the output is stale.")
@report_errors
def command(domains: tuple[str, ...], out: str, contracts: str | None, check: bool) -> None:
    """Generate pydantic models, FastAPI services and typed event publishers/subscribers.

    DOMAINS limits what is written or checked (default: every domain of the catalogue); shared
    types (`common`) are always included.
    """
    output = console()
    contract_set = load_contract_set([_contracts_path(contracts)])
    expected = generate_sources(contract_set, domains, formatter=format_sources)
    packages = sorted({rel.split("/", 1)[0] for rel in expected if "/" in rel}) if domains else None
    out_dir = Path(out)
    current = existing_generated(out_dir, packages)
    for rel in expected:
        if rel not in current and (out_dir / rel).is_file():
            current[rel] = (out_dir / rel).read_text(encoding="utf-8", errors="replace")
    if check:
        diffs = drift(expected, current, out_dir)
        if diffs:
            for diff in diffs:
                output.out(diff, nl=False)
            output.error(f"{out_dir.as_posix()} is stale in {len(diffs)} file(s): run `accord generate`")
            raise Failed()
        output.info(f"{out_dir.as_posix()} is up to date ({len(expected)} files)")
        return
    written = removed = 0
    for rel, text in expected.items():
        target = out_dir / rel
        if current.get(rel) != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written += 1
    for rel in sorted(set(current) - set(expected)):
        (out_dir / rel).unlink()
        removed += 1
    output.info(f"{out_dir.as_posix()}: {written} file(s) written, {removed} removed, {len(expected)} in all")
