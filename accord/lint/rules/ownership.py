"""Ownership: every contract names the team that owns it and the system of record behind it."""

from __future__ import annotations

from collections.abc import Iterator

from accord.lint.functions import extension
from accord.lint.registry import BOTH, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Severity


def _info_extension(doc: Document, name: str, what: str) -> Iterator[Violation]:
    info = doc.data.get("info") if isinstance(doc.data, dict) else None
    value = extension(info, name)
    if isinstance(value, str) and value.strip():
        return
    where = doc.where(info) if isinstance(info, dict) else doc.where(doc.data)
    yield Violation(where, f"`info.{name}` is missing: {what}", f"add `{name}:` under `info`")


@rule(
    "info-owner",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="ownership",
    summary="`info.x-accord-owner` names the owning team.",
    rationale="""
A contract without an owner has nobody to approve changes or answer consumers. The owner is the
team that reviews changes to the contract and is paged when its implementation misbehaves.
""",
    good="""
info:
  title: Orders API
  version: 1.0.0
  x-accord-owner: order-management
""",
    bad="""
info:
  title: Orders API
  version: 1.0.0
""",
)
def info_owner(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    yield from _info_extension(doc, "x-accord-owner", "which team owns this contract?")


@rule(
    "info-system-of-record",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="ownership",
    summary="`info.x-accord-system-of-record` names the system that owns the data.",
    rationale="""
Each domain has one system of record (ERP, CRM, OMS, WMS, TMS); other systems read through its API
and react to its events but never write its data. Naming it makes the ownership of data explicit.
""",
    good="""
info:
  x-accord-system-of-record: OMS
""",
    bad="""
info:
  title: Orders API
""",
)
def info_system_of_record(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    yield from _info_extension(doc, "x-accord-system-of-record", "which system owns this data?")
