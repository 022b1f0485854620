"""lint: load -> run selected rules -> overrides and suppressions -> sort. Pure over loaded documents."""

from __future__ import annotations

import fnmatch
import hashlib
import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from accord.config import LintConfig, RuleSetting
from accord.errors import ConfigError
from accord.lint.registry import RULES, Rule, RuleContext, load_builtin_rules
from accord.loader import Document
from accord.loader._gc import without_gc
from accord.loader._pointer import JsonPointerException, resolve, tokens
from accord.model import Finding, Severity

IGNORE_KEY = "x-accord-ignore"


@dataclass(frozen=True)
class SelectedRule:
    rule: Rule
    severity: Severity
    setting: RuleSetting | None


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    suppressed: int = 0
    baselined: int = 0
    rules_run: int = 0


_ENTRY_POINTS_LOADED = False


def load_plugins(modules: Iterable[str]) -> None:
    """Import plugin modules (they register rules with ``@rule``) and ``accord.rules`` entry points."""
    global _ENTRY_POINTS_LOADED
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(f"cannot import lint plugin {name!r}: {exc}") from None
    if not _ENTRY_POINTS_LOADED:
        # Imported here: importlib.metadata costs tens of milliseconds at start-up.
        from importlib.metadata import entry_points

        for entry in entry_points(group="accord.rules"):
            entry.load()
        _ENTRY_POINTS_LOADED = True


def select_rules(config: LintConfig, only: Sequence[str] | None = None) -> list[SelectedRule]:
    """Rules to run with their effective severities (``off`` rules dropped)."""
    load_builtin_rules()
    load_plugins(config.plugins)
    for rule_id in config.rules:
        if rule_id not in RULES:
            raise ConfigError(f"unknown rule {rule_id!r} in lint configuration")
    selected: list[SelectedRule] = []
    for rule_id in sorted(RULES):
        rule = RULES[rule_id]
        setting = config.rules.get(rule_id)
        if only is not None and rule_id not in only:
            continue
        enabled = config.extends == "all" or (config.extends == "recommended" and rule.recommended)
        if setting is not None and setting.severity is not None:
            if setting.severity == "off":
                continue
            enabled = True
            severity = Severity.parse(setting.severity)
        else:
            severity = rule.severity
        if enabled or only is not None:
            selected.append(SelectedRule(rule, severity, setting))
    return selected


def in_scope(selected: SelectedRule, doc: Document, domain: str | None) -> bool:
    """Whether the rule's ``domains``/``paths`` scope (from ``accord.yaml``) covers ``doc``."""
    setting = selected.setting
    if setting is None:
        return True
    if setting.domains and domain not in setting.domains:
        return False
    if setting.paths:
        shown = doc.display.replace("\\", "/")
        return any(fnmatch.fnmatch(shown, pattern) for pattern in setting.paths)
    return True


class _Suppressions:
    """``x-accord-ignore: [rule-id, ...]`` on a node silences those rules for it and below it."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self._files = {f.display: f for doc in docs for f in doc.iter_files()}
        self._cache: dict[tuple[str, str], frozenset[str]] = {}
        # Most files carry no suppression at all: one substring search spares every lookup.
        self._has_ignores = {name: IGNORE_KEY.encode() in f.raw for name, f in self._files.items()}

    def _ignored_at(self, file: str, pointer: str) -> frozenset[str]:
        key = (file, pointer)
        if key not in self._cache:
            source = self._files.get(file)
            ids: frozenset[str] = frozenset()
            if source is not None:
                try:
                    node = resolve(source.data, pointer)
                except (JsonPointerException, TypeError):
                    node = None
                value = node.get(IGNORE_KEY) if isinstance(node, dict) else None
                if isinstance(value, list):
                    ids = frozenset(str(v) for v in value)
                elif isinstance(value, str):
                    ids = frozenset({value})
            self._cache[key] = ids
        return self._cache[key]

    def suppressed(self, finding: Finding) -> bool:
        if not self._has_ignores.get(finding.location.file, False):
            return False
        pointer = finding.location.pointer
        parts = tokens(pointer) if pointer else []
        prefix = ""
        candidates = [""]
        for part in parts:
            prefix = f"{prefix}/{part.replace('~', '~0').replace('/', '~1')}"
            candidates.append(prefix)
        for candidate in candidates:
            ignored = self._ignored_at(finding.location.file, candidate)
            if finding.rule_id in ignored or "*" in ignored:
                return True
        return False


def fingerprint(finding: Finding) -> str:
    """Stable identity of a finding for baselines: survives line shifts, not content changes."""
    text = "|".join((finding.rule_id, finding.location.file, finding.location.pointer, finding.message))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@without_gc
def run_lint(
    docs: Sequence[Document],
    config: LintConfig,
    *,
    domains: dict[int, str] | None = None,
    only: Sequence[str] | None = None,
    baseline: set[str] | None = None,
    options: dict[str, dict[str, Any]] | None = None,
) -> LintResult:
    """Lint ``docs`` with ``config``; ``domains`` maps ``id(doc)`` to its catalogue domain."""
    selected = select_rules(config, only)
    result = LintResult(rules_run=len(selected))
    corpus = tuple(docs)
    seen: set[tuple[str, str, str, str]] = set()
    suppressions = _Suppressions(docs)
    for doc in docs:
        domain = (domains or {}).get(id(doc))
        for chosen in selected:
            if not chosen.rule.applies(doc) or not in_scope(chosen, doc, domain):
                continue
            rule_options = dict(chosen.setting.options) if chosen.setting else {}
            rule_options.update((options or {}).get(chosen.rule.id, {}))
            context = RuleContext(rule_options, corpus, domain)
            for violation in chosen.rule.check(doc, context):
                loc = violation.location
                key = (chosen.rule.id, loc.file, loc.pointer, violation.message)
                if key in seen:
                    continue
                seen.add(key)
                finding = Finding(chosen.rule.id, chosen.severity, loc, violation.message, violation.hint)
                if suppressions.suppressed(finding):
                    result.suppressed += 1
                    continue
                if baseline is not None and fingerprint(finding) in baseline:
                    result.baselined += 1
                    continue
                result.findings.append(finding)
    result.findings.sort(key=Finding.sort_key)
    return result
