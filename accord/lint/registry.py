"""The rule registry: a rule is data (id, severity, targets, docs) plus a pure check function."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from accord.loader import Document
from accord.model import Location, Severity

OPENAPI = "openapi"
ASYNCAPI = "asyncapi"
BOTH = frozenset({OPENAPI, ASYNCAPI})

_RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Violation:
    """What a check function reports; the runner turns it into a :class:`~accord.model.Finding`."""

    location: Location
    message: str
    hint: str | None = None


@dataclass
class RuleContext:
    """What a check may know besides its document: options, and the whole set being linted."""

    options: dict[str, Any] = field(default_factory=dict)
    corpus: tuple[Document, ...] = ()
    domain: str | None = None


Check = Callable[[Document, RuleContext], Iterable[Violation]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One governance rule. ``good``/``bad`` are short YAML snippets for the rule catalogue."""

    id: str
    severity: Severity
    applies_to: frozenset[str]
    check: Check
    family: str
    summary: str
    rationale: str
    good: str
    bad: str
    recommended: bool = True

    def applies(self, doc: Document) -> bool:
        return doc.kind in self.applies_to


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    severity: Severity,
    applies_to: Iterable[str],
    family: str,
    summary: str,
    rationale: str,
    good: str,
    bad: str,
    recommended: bool = True,
) -> Callable[[Check], Check]:
    """Register ``check`` under ``id``. Ids are kebab-case and unique."""

    def register(check: Check) -> Check:
        if not _RULE_ID.match(id):
            raise ValueError(f"rule id {id!r} is not kebab-case")
        if id in RULES:
            raise ValueError(f"rule {id!r} is registered twice")
        RULES[id] = Rule(
            id=id,
            severity=severity,
            applies_to=frozenset(applies_to),
            check=check,
            family=family,
            summary=summary,
            rationale=rationale.strip(),
            good=good.strip("\n"),
            bad=bad.strip("\n"),
            recommended=recommended,
        )
        return check

    return register


def load_builtin_rules() -> dict[str, Rule]:
    """Import every built-in rule family (registration happens on import)."""
    from accord.lint import rules  # noqa: F401  (import registers)

    return RULES


def iter_rules(ids: Iterable[str] | None = None) -> Iterator[Rule]:
    load_builtin_rules()
    if ids is None:
        yield from (RULES[k] for k in sorted(RULES))
        return
    for rule_id in ids:
        yield RULES[rule_id]
