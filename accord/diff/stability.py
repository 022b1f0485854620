"""Stability promises: ``x-accord-stability`` downgrades the level of changes, ``x-sunset`` dates."""

from __future__ import annotations

from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from accord.model import Severity

STABLE, BETA, EXPERIMENTAL = "stable", "beta", "experimental"


def declared_stability(*nodes: Any) -> str | None:
    """The first ``x-accord-stability`` found on ``nodes`` (most specific first)."""
    for node in nodes:
        if isinstance(node, dict):
            value = node.get("x-accord-stability")
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None


def downgrade(level: Severity, stability: str | None) -> Severity:
    """Beta contracts promise less: errors become warnings. Experimental ones promise nothing: info."""
    if stability == EXPERIMENTAL:
        return min(level, Severity.INFO)
    if stability == BETA and level == Severity.ERROR:
        return Severity.WARN
    return level


def parse_date(value: Any) -> date | None:
    """An ``x-sunset`` value as a date: ISO 8601 date or date-time, or an HTTP-date (RFC 8594)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None
