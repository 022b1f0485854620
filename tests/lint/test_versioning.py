"""Versioning rules beyond their fixture pairs: semver and RFC 3339 edge cases, options, AsyncAPI 2.6."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.lint.rules.versioning import is_rfc3339_date
from tests.lint._http_support import lint, load_text, spots


@pytest.mark.parametrize(
    ("version", "ok"),
    [
        ("'1.0.0'", True),
        ("'0.3.12-rc.1+sha.5114f85'", True),
        ("'v1.0.0'", False),
        ("'1.0'", False),
        ("'01.0.0'", False),
        ("2024-05-01", False),
        ("1", False),
    ],
)
def test_info_version_semver_variants(tmp_path: Path, version: str, ok: bool) -> None:
    doc = load_text(tmp_path, f"openapi: 3.1.0\ninfo:\n  title: T\n  version: {version}\npaths: {{}}\n")
    found = spots(lint(doc, "info-version-semver"))
    assert found == ([] if ok else [("info-version-semver", "/info/version", 4)])


def test_info_version_missing_points_at_info_or_root(tmp_path: Path) -> None:
    doc = load_text(tmp_path, "asyncapi: 2.6.0\ninfo:\n  title: T\nchannels: {}\n")
    assert spots(lint(doc, "info-version-semver")) == [("info-version-semver", "/info", 2)]
    doc = load_text(tmp_path, "openapi: 3.1.0\npaths: {}\n", name="no-info.yaml")
    [finding] = lint(doc, "info-version-semver")
    assert finding.location.pointer == "" and "`info` is missing" in finding.message
    doc = load_text(tmp_path, "openapi: 3.1.0\ninfo: Orders\npaths: {}\n", name="info-string.yaml")
    [finding] = lint(doc, "info-version-semver")
    assert finding.message.startswith("`info` is not an object")


def test_path_major_version_without_parsable_version_still_requires_a_prefix(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: latest}
        paths:
          /v3/orders: {}
          /orders: {}
        """,
    )
    [finding] = lint(doc, "path-major-version")
    assert (finding.location.pointer, finding.location.line) == ("/paths/~1orders", 5)
    assert "`/v<major>/`" in finding.message


def test_path_major_version_zero(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path, "openapi: 3.1.0\ninfo: {title: T, version: 0.9.0}\npaths:\n  /v0/orders: {}\n  /v1/x: {}\n"
    )
    assert spots(lint(doc, "path-major-version")) == [("path-major-version", "/paths/~1v1~1x", 5)]


def test_info_stability_missing_and_invalid(tmp_path: Path) -> None:
    doc = load_text(tmp_path, "openapi: 3.0.3\ninfo:\n  title: T\n  version: 1.0.0\npaths: {}\n")
    assert spots(lint(doc, "info-stability")) == [("info-stability", "/info", 2)]
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0, x-accord-stability: GA}
        paths:
          /v1/orders:
            get:
              x-accord-stability: stable
        """,
        name="invalid.yaml",
    )
    # the document level is invalid, so the operation is not compared with it
    assert spots(lint(doc, "info-stability")) == [("info-stability", "/info/x-accord-stability", 2)]


def test_info_stability_operation_above_document_openapi(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0, x-accord-stability: experimental}
        paths:
          /v1/orders:
            get:
              x-accord-stability: beta
            post:
              x-accord-stability: experimental
        """,
    )
    [finding] = lint(doc, "info-stability")
    assert finding.location.pointer == "/paths/~1v1~1orders/get/x-accord-stability"
    assert finding.message == "GET /v1/orders is `beta` but the document is only `experimental`"


def test_info_stability_asyncapi_2(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        asyncapi: 2.6.0
        info: {title: T, version: 1.0.0, x-accord-stability: beta}
        channels:
          orders.order.created.v1:
            subscribe:
              x-accord-stability: stable
              message: {payload: {type: object}}
        """,
    )
    assert spots(lint(doc, "info-stability")) == [
        ("info-stability", "/channels/orders.order.created.v1/subscribe/x-accord-stability", 6)
    ]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-06-30", True),
        ("2028-02-29", True),  # leap year
        ("2026-02-29", False),
        ("2026-6-30", False),
        ("2026-06-30T12:00:00Z", True),
        ("2026-06-30t12:00:00z", True),  # RFC 3339 §5.6 NOTE: T and Z may be lower case
        ("2026-06-30T12:00:00.250+02:00", True),
        ("2026-06-30T12:00:00", False),  # no offset
        ("2026-06-30T25:00:00Z", False),
        ("Tue, 30 Jun 2026 00:00:00 GMT", False),  # an HTTP-date, not RFC 3339
        (20260630, False),
        (None, False),
    ],
)
def test_rfc3339_dates(value: object, ok: bool) -> None:
    assert is_rfc3339_date(value) is ok


def test_deprecated_path_level_parameter_is_reported_once(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            parameters:
            - {name: region, in: query, deprecated: true, schema: {type: string}}
            get: {responses: {'200': {description: OK}}}
            post: {responses: {'201': {description: OK}}}
        """,
    )
    assert spots(lint(doc, "deprecated-sunset")) == [
        ("deprecated-sunset", "/paths/~1v1~1orders/parameters/0/deprecated", 6)
    ]


def test_rate_limit_required_option(tmp_path: Path) -> None:
    doc = load_text(tmp_path, "openapi: 3.1.0\ninfo: {title: T, version: 1.0.0}\npaths: {}\n")
    [finding] = lint(doc, "rate-limit-valid")
    assert finding.location.pointer == "" and finding.location.line == 1
    assert "no default `x-accord-rate-limit`" in finding.message
    assert lint(doc, "rate-limit-valid", options={"required": False}) == []


def test_rate_limit_operation_override_is_checked_even_when_root_is_optional(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """\
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/orders:
            get:
              x-accord-rate-limit: {limit: 10, window: -1, key: 'header:'}
        """,
    )
    assert spots(lint(doc, "rate-limit-valid", options={"required": False})) == [
        ("rate-limit-valid", "/paths/~1v1~1orders/get/x-accord-rate-limit/window", 6),
        ("rate-limit-valid", "/paths/~1v1~1orders/get/x-accord-rate-limit/key", 6),
    ]
