"""Schema family: options, OpenAPI 3.0 dialect, cycles, shared files and documents as found in the wild."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from accord.config import LintConfig
from accord.lint import RULES, load_builtin_rules, run_lint, select_rules
from accord.lint._schema_helpers import words
from accord.loader import Document, load_document
from accord.model import Finding

load_builtin_rules()
SCHEMA_RULES = sorted(r for r in RULES if RULES[r].family == "schema")


def _doc(tmp_path: Path, text: str, name: str = "openapi.yaml") -> Document:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return load_document(path, root=tmp_path)


def _lint(docs: list[Document], *ids: str, options: dict[str, dict[str, Any]] | None = None) -> list[Finding]:
    return run_lint(docs, LintConfig(extends="none"), only=list(ids), options=options).findings


def _sites(findings: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [(f.rule_id, f.location.pointer, f.location.line) for f in findings]


def _components(schemas: str, version: str = "3.1.0") -> str:
    body = textwrap.indent(textwrap.dedent(schemas), "    ")
    return f"openapi: {version}\ninfo: {{title: T, version: 1.0.0}}\npaths: {{}}\ncomponents:\n  schemas:\n{body}"


def _request(schema: str, version: str = "3.1.0") -> str:
    body = textwrap.indent(textwrap.dedent(schema), " " * 14)
    return (
        f"openapi: {version}\ninfo: {{title: T, version: 1.0.0}}\npaths:\n  /v1/things:\n    post:\n"
        "      requestBody:\n        content:\n          application/json:\n            schema:\n"
        f"{body}      responses:\n        '201': {{description: Created.}}\n"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unitPrice", ("unit", "price")),
        ("unit_price", ("unit", "price")),
        ("grand-total", ("grand", "total")),
        ("HTTPStatus", ("http", "status")),
        ("shipToGLN", ("ship", "to", "gln")),
        ("createdAt", ("created", "at")),
        ("v2Amount", ("v", "2", "amount")),
        ("", ()),
    ],
)
def test_words_split_every_casing(name: str, expected: tuple[str, ...]) -> None:
    assert words(name) == expected


def test_money_words_option_replaces_the_default_list(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        _components("""
            Line:
              type: object
              required: []
              properties:
                unitPrice: {type: number}
                landedCost: {type: number}
                exciseLevy: {type: number}
        """),
    )
    default = _sites(_lint([doc], "money-not-float"))
    assert default == [
        ("money-not-float", "/components/schemas/Line/properties/unitPrice", 11),
        ("money-not-float", "/components/schemas/Line/properties/landedCost", 12),
    ]
    custom = _lint([doc], "money-not-float", options={"money-not-float": {"words": ["levy"]}})
    assert [f.location.pointer for f in custom] == ["/components/schemas/Line/properties/exciseLevy"]
    assert "`exciseLevy`" in custom[0].message


def test_money_openapi30_nullable_number_is_a_float(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        _components(
            """
            Line:
              type: object
              required: []
              properties:
                total: {type: number, nullable: true}
                amount: {type: string}
                currency: {type: string}
            """,
            version="3.0.3",
        ),
    )
    findings = _lint([doc], "money-not-float")
    assert _sites(findings) == [("money-not-float", "/components/schemas/Line/properties/total", 11)]


def test_request_strings_formats_option(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        _request("""
            type: object
            additionalProperties: false
            required: []
            properties:
              website: {type: string, format: uri}
              when: {type: string, format: date-time}
        """),
    )
    assert [f.location.pointer.rsplit("/", 1)[-1] for f in _lint([doc], "request-strings-bounded")] == [
        "website"
    ]
    options = {"request-strings-bounded": {"formats": ["uri"]}}
    found = _lint([doc], "request-strings-bounded", options=options)
    assert [f.location.pointer.rsplit("/", 1)[-1] for f in found] == ["when"]


def test_request_rules_skip_response_only_schemas_and_judge_shared_ones_once(tmp_path: Path) -> None:
    """A schema in a shared file used by two documents is reported once, where it is written."""
    (tmp_path / "shared.yaml").write_text(
        textwrap.dedent("""
            Note:
              type: object
              required: []
              properties:
                text: {type: string}
        """)
    )
    text = _request("$ref: './shared.yaml#/Note'\n")
    first = _doc(tmp_path, text, "a.yaml")
    second = _doc(tmp_path, text, "b.yaml")
    findings = _lint([first, second], "request-strings-bounded", "request-no-additional-properties")
    assert sorted((f.rule_id, f.location.file.rsplit("/", 1)[-1], f.location.pointer) for f in findings) == [
        ("request-no-additional-properties", "shared.yaml", "/Note"),
        ("request-strings-bounded", "shared.yaml", "/Note/properties/text"),
    ]


def test_numeric_bounds_understands_openapi30_boolean_exclusive_bounds(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        _request(
            """
            type: object
            additionalProperties: false
            required: []
            properties:
              ok: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 10}
              flagOnly: {type: number, exclusiveMinimum: true, maximum: 10}
            """,
            version="3.0.3",
        ),
    )
    findings = _lint([doc], "numeric-bounds")
    assert [f.location.pointer.rsplit("/", 1)[-1] for f in findings] == ["flagOnly"]
    assert findings[0].message == "request number has no minimum"


def test_date_time_options(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        _components("""
            Task:
              type: object
              required: []
              properties:
                dependsOn: {type: string, maxLength: 20}
                startsWhen: {type: string}
                epoch: {type: integer}
        """),
    )
    assert [f.location.pointer for f in _lint([doc], "date-time-format")] == [
        "/components/schemas/Task/properties/dependsOn"
    ]
    options = {"date-time-format": {"suffixes": ["when"], "names": ["epoch"]}}
    found = _lint([doc], "date-time-format", options=options)
    assert sorted(f.location.pointer.rsplit("/", 1)[-1] for f in found) == ["epoch", "startsWhen"]


def test_gs1_patterns_option(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        _components(r"""
            Item:
              type: object
              required: []
              properties:
                gtin: {type: string, pattern: '^\d{8}$'}
                grai: {type: string}
        """),
    )
    assert len(_lint([doc], "gs1-identifier-pattern")) == 1
    options = {"gs1-identifier-pattern": {"patterns": {"gtin": r"^\d{8}$", "grai": r"^\d{14}$"}}}
    found = _lint([doc], "gs1-identifier-pattern", options=options)
    assert [f.location.pointer for f in found] == ["/components/schemas/Item/properties/grai"]
    assert "GRAI property `grai` has no pattern" in found[0].message


def test_recursive_request_schema_terminates_and_is_judged_once(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: T, version: 1.0.0}
        paths:
          /v1/categories:
            post:
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Category'}
              responses:
                '201': {description: Created.}
        components:
          schemas:
            Category:
              type: object
              properties:
                name: {type: string}
                children:
                  type: array
                  items: {$ref: '#/components/schemas/Category'}
        """,
    )
    findings = _lint([doc], *SCHEMA_RULES)
    assert sorted(_sites(findings)) == [
        ("object-required-declared", "/components/schemas/Category", 15),
        ("request-no-additional-properties", "/components/schemas/Category", 15),
        ("request-strings-bounded", "/components/schemas/Category/properties/name", 18),
    ]


WILD = """
openapi: 3.0.0
info: {title: T, version: 1.0.0}
paths:
  /v1/things:
    post:
      parameters:
        - {name: q, in: query, schema: {$ref: '#/components/schemas/Missing'}}
        - 42
      requestBody:
        content:
          application/json:
            schema:
              type: 7
              required: name
              properties:
                - not a map
              additionalProperties: yes
              allOf: not-a-list
      responses:
        '200':
          content:
            application/json:
              schema:
                properties:
                  createdAt: [1, 2]
                  gtin: {$ref: 'other.yaml#/Nowhere'}
                  price: {type: [number, 7]}
                  amount: {type: number}
                  currency: null
components:
  schemas: [1, 2]
"""


def test_rules_never_raise_on_broken_documents(tmp_path: Path) -> None:
    doc = _doc(tmp_path, WILD)
    findings = _lint([doc], *SCHEMA_RULES)
    sites = {(f.rule_id, f.location.pointer.rsplit("/", 1)[-1]) for f in findings}
    # What can be judged still is: a float price and a numeric amount beside currency.
    assert ("money-not-float", "price") in sites
    assert ("money-not-float", "amount") in sites
    assert all(f.location.line is not None for f in findings)


def test_schema_type_declared_is_not_recommended_but_the_rest_are() -> None:
    recommended = {s.rule.id for s in select_rules(LintConfig(extends="recommended"))}
    assert "schema-type-declared" not in recommended
    assert set(SCHEMA_RULES) - {"schema-type-declared"} <= recommended
    assert set(SCHEMA_RULES) == {
        "date-time-format",
        "gs1-identifier-pattern",
        "money-not-float",
        "no-float-quantity",
        "numeric-bounds",
        "object-required-declared",
        "request-no-additional-properties",
        "request-strings-bounded",
        "schema-type-declared",
    }
