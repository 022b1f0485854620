"""``accord lint``: governance rules over contracts (exit 0 clean, 1 findings at the fail severity, 2 usage/input).

load -> structural checks -> select rules -> run -> baseline -> render -> exit code. Heavy modules
(rich, the renderers' dependencies) load only when used, so a small document lints in a fraction of
a second.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click

from accord import report
from accord.config import Config, load_config
from accord.contracts import ContractSet, load_contract_set
from accord.errors import AccordError, ConfigError, UsageError
from accord.lint import RULES, load_builtin_rules, run_lint, select_rules
from accord.lint.runner import SelectedRule, in_scope
from accord.loader import Document, read_source
from accord.loader._pointer import join
from accord.model import Finding, Severity
from accord.report import ReportContext, RuleLike
from accord_cli._errors import Failed, report_errors
from accord_cli._output import Console, console
from accord_cli._progress import Progress
from accord_cli._validation_rules import VALIDATION_RULES

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
SEVERITIES = ("error", "warn", "warning", "info", "hint")


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option(
    "--fail-severity",
    type=click.Choice(SEVERITIES),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here."
)
@click.option("--rule", "only", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@click.option(
    "--baseline",
    type=click.Choice(["write", "use"]),
    help="write: record current findings and exit 0; use: hide the recorded findings.",
)
@click.option(
    "--baseline-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=".accord-baseline.json",
    show_default=True,
    help="Where --baseline writes and reads the accepted findings.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="accord.yaml to use (default: the nearest one above the first PATH).",
)
@click.option("--allow-remote-refs", is_flag=True, help="Follow http(s) $refs (refused by default).")
@report_errors
def command(
    paths: tuple[str, ...],
    fmt: str,
    fail_severity: str,
    output: Path | None,
    only: tuple[str, ...],
    baseline: str | None,
    baseline_file: Path,
    config_path: Path | None,
    allow_remote_refs: bool,
) -> None:
    """Check contracts against the governance rules (see `accord rules`).

    PATHS are files or folders (default: the current folder, or the folder of --config). A folder
    holding an accord.yaml catalogue contributes the documents it lists. The `lint` section of
    accord.yaml selects rules, changes severities, scopes rules and loads plugins.
    """
    out = console()
    threshold = Severity.parse(fail_severity)
    config = load_config(config_path) if config_path is not None else None
    targets = list(paths) or ([str(config.root)] if config is not None else ["."])
    from accord_cli import _baseline

    known = _baseline.read_baseline(baseline_file) if baseline == "use" else None
    show_progress = not out.quiet and _isatty(sys.stderr)
    with Progress(show_progress, color=out.color) as progress:
        progress.update("loading contracts")
        contract_set = load_contract_set(targets, allow_remote=allow_remote_refs)
        if not contract_set.errors:
            config = config or contract_set.config
            selected = _select(config, only)
            lint_only = [rule_id for rule_id in only if rule_id not in VALIDATION_RULES] if only else None
            validation = set(VALIDATION_RULES) if not only else set(only) & set(VALIDATION_RULES)
            findings = _validate(contract_set.documents, validation, progress)
            progress.update(f"linting {len(contract_set.documents)} document(s)")
            domains = _domains(contract_set, config)
            result = run_lint(contract_set.documents, config.lint, domains=domains, only=lint_only)
            findings.extend(result.findings)
    _refuse_unreadable(out, contract_set)
    config = config or contract_set.config
    root = _project_root(Path(targets[0]), config)
    identity = _baseline.fingerprinter(root)
    if baseline == "write":
        baseline_file.write_text(_baseline.render_baseline(findings, identity, root), encoding="utf-8")
        out.info(f"wrote {len(findings)} finding(s) to baseline {baseline_file}")
        return
    baselined = 0
    if known is not None:
        kept = [f for f in findings if identity(f) not in known]
        baselined = len(findings) - len(kept)
        findings = kept
    findings.sort(key=Finding.sort_key)
    described: dict[str, RuleLike] = {s.rule.id: s.rule for s in selected}
    described.update({rule_id: VALIDATION_RULES[rule_id] for rule_id in sorted(validation)})
    ctx = ReportContext(
        tool_version=_version() if fmt in ("json", "sarif") else "",
        root=str(root),
        color=fmt == "text" and output is None and out.color and _isatty(sys.stdout),
        rules=described,
        checks=_checks(contract_set, config, selected, validation) if fmt == "junit" else None,
        fail_severity=threshold,
        suppressed=result.suppressed,
        baselined=baselined,
        fingerprint=identity,
    )
    text = _render(fmt, findings, ctx)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        out.info(f"wrote {fmt} report to {output}")
    else:
        out.out(text, nl=False)
    if fmt != "text" or output is not None:
        out.info(_summary(findings, result.suppressed, baselined))
    if not contract_set.documents:
        out.info("no contract documents found")
    if any(f.severity >= threshold for f in findings):
        raise Failed()


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _refuse_unreadable(out: Console, contract_set: ContractSet) -> None:
    """Inputs that cannot be read at all are a usage problem (exit 2), reported with their location."""
    if not contract_set.errors:
        return
    for error in contract_set.errors:
        out.error(str(error))
    raise click.exceptions.Exit(2)


def _located(config: Config, message: str, pointer: str) -> ConfigError:
    if config.file is None:
        return ConfigError(message)
    try:
        location = read_source(Path(config.file)).location(pointer)
    except AccordError:
        return ConfigError(message)
    return ConfigError(message, location)


@contextlib.contextmanager
def _plugin_path(config: Config) -> Iterator[None]:
    """Plugin modules next to accord.yaml import without installing them (the folder joins sys.path)."""
    folder = str(Path(config.root).resolve())
    added = bool(config.lint.plugins) and folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(folder)


def _select(config: Config, only: Sequence[str]) -> list[SelectedRule]:
    """Load built-in and plugin rules, check every rule id named anywhere, return the rules to run."""
    load_builtin_rules()
    lint_only = [rule_id for rule_id in only if rule_id not in VALIDATION_RULES] if only else None
    with _plugin_path(config):
        try:
            selected = select_rules(config.lint, lint_only)
        except ConfigError as exc:
            if exc.location is not None:
                raise
            raise _locate_config_error(config, exc) from None
    for rule_id in only:
        if rule_id not in RULES and rule_id not in VALIDATION_RULES:
            raise UsageError(
                f"unknown rule {rule_id!r} given to --rule{_suggest(rule_id)} (see `accord rules`)"
            )
    return selected


def _locate_config_error(config: Config, exc: ConfigError) -> ConfigError:
    """Point an unlocated lint-configuration error at the accord.yaml entry it is about."""
    unknown = [rule_id for rule_id in config.lint.rules if rule_id not in RULES]
    if unknown:
        message = f"unknown rule {unknown[0]!r} in lint configuration{_suggest(unknown[0])}"
        return _located(config, message, join("/lint/rules", (unknown[0],)))
    index = next((i for i, name in enumerate(config.lint.plugins) if repr(name) in exc.message), None)
    return _located(config, exc.message, "/lint/plugins" if index is None else f"/lint/plugins/{index}")


def _suggest(rule_id: str) -> str:
    import difflib

    close = difflib.get_close_matches(rule_id, [*RULES, *VALIDATION_RULES], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _validate(docs: Sequence[Document], wanted: set[str], progress: Progress) -> list[Finding]:
    if not wanted:
        return []
    from accord.validation import validate_document

    found: list[Finding] = []
    for index, doc in enumerate(docs, 1):
        progress.update(f"validating {Path(doc.display).name} ({index}/{len(docs)})")
        found.extend(f for f in validate_document(doc) if f.rule_id in wanted)
    return found


def _domains(contract_set: ContractSet, config: Config) -> dict[int, str]:
    domains: dict[int, str] = {}
    for doc in contract_set.documents:
        domain = contract_set.domain_of(doc)
        if config is not contract_set.config:
            domain = config.domain_of(doc.path) or domain
        if domain:
            domains[id(doc)] = domain
    return domains


def _checks(
    contract_set: ContractSet, config: Config, selected: Sequence[SelectedRule], validation: set[str]
) -> dict[str, list[str]]:
    """Per document file, the ids of the checks that ran on it (JUnit lists passing ones too)."""
    domains = _domains(contract_set, config)
    checks: dict[str, list[str]] = {}
    for doc in contract_set.documents:
        ran = sorted(validation)
        ran += [s.rule.id for s in selected if s.rule.applies(doc) and in_scope(s, doc, domains.get(id(doc)))]
        checks[doc.display] = ran
    return checks


def _project_root(first: Path, config: Config) -> Path:
    """The repository root (nearest ``.git`` above the first path), else the catalogue's folder, else cwd.

    SARIF and GitHub paths are relative to it, and so are baseline fingerprints.
    """
    start = first.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    if config.file is not None:
        return Path(config.root).resolve()
    return Path.cwd()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("accord")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
        return "0.0.0"


def _render(fmt: str, findings: list[Finding], ctx: ReportContext) -> str:
    renderer: Callable[[Sequence[Finding], ReportContext], str] = getattr(report, f"render_{fmt}")
    return renderer(findings, ctx)


def _summary(findings: Sequence[Finding], suppressed: int, baselined: int) -> str:
    levels = [f.severity.label for f in findings]
    text = (
        f"{len(findings)} problem(s): {levels.count('error')} error(s), {levels.count('warn')} warning(s), "
        f"{levels.count('info')} info, {levels.count('hint')} hint(s)"
    )
    if suppressed:
        text += f"; {suppressed} suppressed"
    if baselined:
        text += f"; {baselined} hidden by the baseline"
    return text
