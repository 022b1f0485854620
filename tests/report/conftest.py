"""Findings, changes and rule descriptors shared by the renderer tests."""

from __future__ import annotations

import pytest

from accord.model import Change, Finding, Location, Severity
from accord.report import ReportContext, RuleInfo

OWNER = RuleInfo(
    id="info-owner",
    severity=Severity.ERROR,
    family="ownership",
    summary="`info.x-accord-owner` names the owning team.",
    rationale="A contract without an owner has nobody to approve changes.",
    good="info:\n  x-accord-owner: order-management",
    bad="info:\n  title: Orders API",
)
CAMEL = RuleInfo(
    id="property-camel-case",
    severity=Severity.WARN,
    family="naming",
    summary="Property names are camelCase.",
)


@pytest.fixture
def findings() -> list[Finding]:
    """Out of order on purpose: renderers sort by file, line, column."""
    return [
        Finding(
            "property-camel-case",
            Severity.WARN,
            Location(
                "contracts/orders/openapi.yaml", "/components/schemas/Order/properties/order_id", 40, 11
            ),
            "property `order_id` is not camelCase",
            "rename it to `orderId`",
        ),
        Finding(
            "info-owner",
            Severity.ERROR,
            Location("contracts/orders/openapi.yaml", "/info", 2, 1),
            "`info.x-accord-owner` is missing",
            "add `x-accord-owner:` under `info`",
        ),
        Finding(
            "info-owner",
            Severity.INFO,
            Location("contracts/items/asyncapi.yaml", "/info", 3, 1),
            "`info.x-accord-owner` is missing",
        ),
    ]


@pytest.fixture
def changes() -> list[Change]:
    return [
        Change(
            "request-property-became-required",
            Severity.ERROR,
            "request",
            Location("base/orders.yaml", "/paths/~1v1~1orders/post", 30, 7),
            Location("contracts/orders/openapi.yaml", "/paths/~1v1~1orders/post", 31, 7),
            "POST /v1/orders",
            "request property `note` became required",
        ),
        Change(
            "endpoint-removed",
            Severity.ERROR,
            "none",
            Location("contracts/orders/openapi.yaml", "/paths/~1v1~1orders~1{orderId}/delete", 88, 5),
            None,
            "DELETE /v1/orders/{orderId}",
            "operation removed",
        ),
        Change(
            "response-property-added",
            Severity.INFO,
            "response",
            None,
            Location("contracts/orders/openapi.yaml", "/components/schemas/Order/properties/note", 120, 9),
            "GET /v1/orders",
            "response property `note` added",
            {"property": "note"},
        ),
    ]


@pytest.fixture
def ctx() -> ReportContext:
    return ReportContext(tool_version="1.2.3", rules={OWNER.id: OWNER, CAMEL.id: CAMEL})
