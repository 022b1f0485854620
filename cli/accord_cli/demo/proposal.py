"""The demo's last act: a breaking change proposed to the orders contract, judged by ``accord diff``."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from accord.diff import diff_documents
from accord.diff.changelog import render_changelog
from accord.loader import load_document
from accord.model import Change, Severity


@dataclass
class Verdict:
    description: list[str]
    changes: list[Change]
    suggested_version: str | None
    changelog: str

    @property
    def blocked(self) -> bool:
        return any(change.level >= Severity.ERROR for change in self.changes)


def propose_breaking_change(contracts: Path, today: date) -> Verdict:
    """Copy the contracts, edit orders/openapi.yaml as a careless v1.1 would, and diff the two."""
    description = [
        "SalesOrderCreate: new REQUIRED request property `costCenter`",
        "SalesOrder: response property `requestedDeliveryDate` removed",
        "OrderStatus: new response enum value `on_hold`",
        "info.version 1.0.0 -> 1.1.0 (a minor bump)",
    ]
    with tempfile.TemporaryDirectory(prefix="accord-proposal-") as tmp:
        revision_root = Path(tmp) / "contracts"
        shutil.copytree(contracts, revision_root)
        target = revision_root / "orders" / "openapi.yaml"
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        schemas = data["components"]["schemas"]
        create = schemas["SalesOrderCreate"]
        create["required"] = [*create.get("required", []), "costCenter"]
        create["properties"]["costCenter"] = {
            "description": "Cost center to charge.",
            "type": "string",
            "maxLength": 20,
        }
        order = schemas["SalesOrder"]
        order["properties"].pop("requestedDeliveryDate", None)
        order["required"] = [r for r in order.get("required", []) if r != "requestedDeliveryDate"]
        schemas["OrderStatus"]["enum"] = [*schemas["OrderStatus"]["enum"], "on_hold"]
        data["info"]["version"] = "1.1.0"
        target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        base = load_document(contracts / "orders" / "openapi.yaml", root=contracts)
        revision = load_document(target, root=revision_root)
        result = diff_documents(base, revision, today=today)
        result.domain = "orders"
        changelog = render_changelog([result], "Orders API 1.0.0 -> 1.1.0 (proposed)")
        return Verdict(description, result.changes, result.suggested_version, changelog)
