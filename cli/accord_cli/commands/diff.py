"""``accord diff``: breaking-change check between two versions of a contract (0 ok, 1 threshold, 2 error).

Each side is a file, a contract folder (documents matched by domain and kind, else by relative
path) or a git revision ``REV:path``. A revision is materialised with ``git archive`` into a temporary
folder, so multi-file ``$ref``s resolve from the same revision; locations are shown as ``REV:path``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import click

from accord.config import Config
from accord.contracts import load_contract_set
from accord.diff import IgnoreEntry, diff_documents, expired_entries, parse_ignore
from accord.diff.ignore import DEFAULT_NAME
from accord.diff.render import FORMATS, render
from accord.diff.runner import DiffReport, DiffResult
from accord.errors import InputError, UsageError
from accord.loader import Document, document_from_source, parse_source, read_source
from accord.model import Change, Location, Severity
from accord_cli._errors import Failed, report_errors
from accord_cli._output import console
from accord_cli._progress import Progress


@dataclass
class Side:
    """One side of the comparison: documents keyed for pairing, plus how to show its locations."""

    label: str
    documents: dict[str, Document] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)  # key -> domain
    config: Config | None = None
    single: bool = False
    relabel: tuple[str, str] | None = None  # (temporary folder prefix, "REV:" prefix)

    def stability(self, key: str) -> str | None:
        domain = self.domains.get(key)
        if self.config is None or domain is None or domain not in self.config.domains:
            return None
        return self.config.domains[domain].stability


# -- git ---------------------------------------------------------------------------------------------


def git(*args: str, cwd: Path | None = None) -> bytes:
    """Run git; a failure is an :class:`InputError` with git's own message."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=120)
    except FileNotFoundError:
        raise UsageError("git is not installed, but a git revision was given") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(
            f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}"
        )
    return done.stdout


def split_revision(spec: str) -> tuple[str, str] | None:
    """``REV:path`` -> (REV, path) when ``spec`` is not an existing path and has a colon."""
    if Path(spec).exists() or ":" not in spec:
        return None
    rev, _, path = spec.partition(":")
    return (rev, path) if rev else None


def _repo_path(path: str) -> str:
    """A path as git's ``REV:path`` means it: relative to the repository root (``./`` = current folder)."""
    if path.startswith(("./", "../")) or path in (".", ".."):
        prefix = git("rev-parse", "--show-prefix").decode().strip()
        joined = os.path.normpath(os.path.join(prefix, path))
        return "" if joined == "." else joined
    return path.strip("/")


def _object_type(rev: str, path: str) -> str:
    try:
        return git("cat-file", "-t", f"{rev}:{path}").decode().strip()
    except InputError:
        raise InputError(
            f"{path or '.'} does not exist in revision {rev}", Location(f"{rev}:{path}")
        ) from None


def _contract_root(rev: str, path: str, is_tree: bool) -> str:
    """The folder to materialise: the nearest one holding accord.yaml in that revision, else the file's."""
    start = PurePosixPath(path) if is_tree else PurePosixPath(path).parent
    for folder in (start, *start.parents):
        candidate = "accord.yaml" if str(folder) in ("", ".") else f"{folder}/accord.yaml"
        with contextlib.suppress(InputError):
            if git("cat-file", "-t", f"{rev}:{candidate}").decode().strip() == "blob":
                return "" if str(folder) == "." else str(folder)
    return "" if str(start) == "." else str(start)


def materialise(rev: str, folder: str, stack: contextlib.ExitStack) -> Path:
    """Extract ``folder`` of ``rev`` into a temporary directory (same relative layout); return its root."""
    git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    top = Path(git("rev-parse", "--show-toplevel").decode().strip())
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="accord-git-")))
    args = ["archive", "--format=tar", rev]
    if folder:
        args += ["--", folder]
    data = git(*args, cwd=top)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(tmp, filter="data")
    return tmp


def load_revision(rev: str, path: str, stack: contextlib.ExitStack) -> Side:
    repo_path = _repo_path(path)
    kind = _object_type(rev, repo_path)
    root = _contract_root(rev, repo_path, kind == "tree")
    tmp = materialise(rev, root, stack)
    prefix = str(tmp) + os.sep
    label = f"{rev}:{repo_path}"
    if kind == "tree":
        side = load_folder(tmp / repo_path if repo_path else tmp, label)
    else:
        target = tmp / repo_path
        raw = target.read_bytes()
        source = parse_source(target, raw, f"{rev}:{repo_path}")
        doc = document_from_source(source, root=tmp / root if root else tmp)
        side = Side(label, {"": doc}, single=True)
    side.relabel = (prefix, f"{rev}:")
    return side


# -- working tree ------------------------------------------------------------------------------------


def load_folder(folder: Path, label: str) -> Side:
    contract_set = load_contract_set([folder])
    if contract_set.errors:
        raise contract_set.errors[0]
    side = Side(label, config=contract_set.config if (folder / "accord.yaml").is_file() else None)
    for doc in contract_set.documents:
        domain = contract_set.domain_of(doc)
        if domain is not None:
            key = f"{domain}:{doc.kind}"
            side.domains[key] = domain
        else:
            key = doc.path.resolve().relative_to(folder.resolve()).as_posix()
        side.documents[key] = doc
    return side


def load_side(spec: str, stack: contextlib.ExitStack) -> Side:
    path = Path(spec)
    if path.is_dir():
        return load_folder(path, spec)
    if path.exists():
        contract_set = load_contract_set([path])
        if contract_set.errors:
            raise contract_set.errors[0]
        if not contract_set.documents:
            raise InputError("not an OpenAPI or AsyncAPI document", Location(spec))
        doc = contract_set.documents[0]
        domain = contract_set.domain_of(doc)
        side = Side(spec, {"": doc}, single=True, config=contract_set.config)
        if domain:
            side.domains[""] = domain
        return side
    revision = split_revision(spec)
    if revision is None:
        raise InputError("no such file or directory", Location(spec))
    return load_revision(*revision, stack)


# -- pairing -----------------------------------------------------------------------------------------

_EMPTY = {
    "openapi": "openapi: {version}\ninfo: {{title: absent, version: 0.0.0}}\npaths: {{}}\n",
    "asyncapi": "asyncapi: {version}\ninfo: {{title: absent, version: 0.0.0}}\nchannels: {{}}\n",
}


def empty_like(doc: Document, label: str) -> Document:
    """An empty document of the same kind and version: diffing against it lists every removal."""
    text = _EMPTY[doc.kind].format(version=doc.version)
    if doc.kind == "asyncapi" and not doc.version.startswith("2."):
        text += "operations: {}\n"
    source = parse_source(Path("absent.yaml"), text.encode(), f"{label} (absent)")
    return document_from_source(source, root=Path.cwd())


def pairs(base: Side, rev: Side) -> Iterator[tuple[str, Document, Document, bool]]:
    """(key, base, revision, both present) for every document of either side."""
    if base.single != rev.single:
        raise UsageError("compare a file with a file, or a contract folder with a contract folder")
    if base.single:
        yield "", base.documents[""], rev.documents[""], True
        return
    for key, doc in base.documents.items():
        other = rev.documents.get(key)
        if other is None:
            yield key, doc, empty_like(doc, f"{rev.label}/{key}"), False
        else:
            yield key, doc, other, True
    for key, doc in rev.documents.items():
        if key not in base.documents:
            yield key, empty_like(doc, f"{base.label}/{key}"), doc, False


def _relabel(loc: Location | None, sides: tuple[Side, ...]) -> Location | None:
    if loc is None:
        return None
    for side in sides:
        if side.relabel and loc.file.startswith(side.relabel[0]):
            return dataclasses.replace(loc, file=side.relabel[1] + loc.file[len(side.relabel[0]) :])
    return loc


def relabel(result: DiffResult, base: Side, rev: Side) -> None:
    if base.relabel is None and rev.relabel is None:
        return

    def fix(change: Change) -> Change:
        return dataclasses.replace(
            change, base=_relabel(change.base, (base,)), revision=_relabel(change.revision, (rev,))
        )

    result.changes = [fix(c) for c in result.changes]
    result.ignored = [(fix(c), e) for c, e in result.ignored]


# -- command -----------------------------------------------------------------------------------------


def load_ignores(option: str | None) -> list[IgnoreEntry]:
    if option is None:
        default = Path(DEFAULT_NAME)
        if not default.is_file():
            return []
        option = str(default)
    return parse_ignore(read_source(Path(option)))


def default_paths() -> tuple[str, ...]:
    """The contract folder to compare when none is named: the catalogue's folder if there is one."""
    for folder in (Path("."), *Path(".").resolve().parents):
        if (folder / "accord.yaml").is_file():
            return (os.path.relpath(folder),)
    if Path("contracts/accord.yaml").is_file():
        return ("contracts",)
    return (".",)


def run_diff(
    base_spec: str,
    rev_spec: str,
    *,
    today: date,
    ignores: list[IgnoreEntry],
    stack: contextlib.ExitStack,
) -> list[DiffResult]:
    base, rev = load_side(base_spec, stack), load_side(rev_spec, stack)
    for side in (base, rev):
        for doc in side.documents.values():
            if doc.ref_problems:
                problem = doc.ref_problems[0]
                where = _relabel(problem.file.location(problem.pointer), (side,))
                console().info(f"warning: {where}: {problem.message} (compared as written)")
    results = []
    for key, b_doc, r_doc, both in pairs(base, rev):
        result = diff_documents(
            b_doc, r_doc, today=today, ignores=ignores, stability=base.stability(key), check_version=both
        )
        relabel(result, base, rev)
        result.domain = base.domains.get(key) or rev.domains.get(key)
        results.append(result)
    return results


@click.command("diff")
@click.argument("sides", nargs=-1, metavar="BASE REVISION")
@click.option(
    "--against", metavar="REV", help="Compare the contracts in PATHS (default .) with git revision REV."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "warn", "info"]),
    default="error",
    show_default=True,
    help="Exit 1 when a change of this level or above remains.",
)
@click.option(
    "--ignore-file", type=click.Path(dir_okay=False), help=f"Accepted changes (default ./{DEFAULT_NAME})."
)
@click.option(
    "--suggest-version", is_flag=True, help="Print the version the revision should carry, and exit 0."
)
@click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), hidden=True, help="Pretend today is this date."
)
@report_errors
def command(
    sides: tuple[str, ...],
    against: str | None,
    fmt: str,
    fail_on: str,
    ignore_file: str | None,
    suggest_version: bool,
    today: object,
) -> None:
    """Report the changes between BASE and REVISION, judged for compatibility.

    \b
    BASE and REVISION are each a contract file, a contract folder (accord.yaml catalogue) or a git
    revision such as main:contracts/orders/openapi.yaml. With --against REV, the arguments are
    working-tree paths (default .), each compared with the same path at REV.
    """
    out = console()
    when = today.date() if hasattr(today, "date") else date.today()
    if against is not None:
        specs = [(f"{against}:{p}", p) for p in (sides or default_paths())]
    elif len(sides) == 2:
        specs = [(sides[0], sides[1])]
    else:
        raise UsageError(f"expected BASE and REVISION (got {len(sides)} argument(s)), or --against REV")
    ignores = load_ignores(ignore_file)
    report = DiffReport(expired=expired_entries(ignores, when))
    show_progress = not out.quiet and sys.stderr.isatty()
    with contextlib.ExitStack() as stack, Progress(show_progress, color=out.color) as progress:
        for base_spec, rev_spec in specs:
            progress.update(f"comparing {base_spec} with {rev_spec}")
            report.results.extend(run_diff(base_spec, rev_spec, today=when, ignores=ignores, stack=stack))
    for entry in report.expired:
        out.info(f"warning: {entry.location}: ignore entry expired on {entry.expires} and no longer applies")
    if suggest_version:
        shown = [r for r in report.results if r.suggested_version]
        if len(report.results) == 1 and shown:
            out.out(str(shown[0].suggested_version))
        else:
            for result in shown:
                out.out(f"{result.revision.display}: {result.suggested_version}")
        return
    out.out(render(report, fmt))
    threshold = Severity.parse(fail_on)
    if any(change.level >= threshold for change in report.changes):
        raise Failed()
