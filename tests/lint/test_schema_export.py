"""Exporting resolved (possibly cyclic, shared) schemas as self-contained JSON Schema 2020-12."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from accord.lint._schema_export import DIALECT, export_bundle, to_json_schema
from accord.loader import load_document


def _valid(schema: dict[str, Any], instance: Any) -> bool:
    return bool(jsonschema_rs.Draft202012Validator(schema, validate_formats=True).is_valid(instance))


def test_tree_is_inlined_without_defs() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "description": "A."}},
        "required": ["a"],
    }
    out = to_json_schema(schema)
    assert out == {
        "$schema": DIALECT,
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
    }


def test_recursive_root_refers_to_document() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {"name": {"type": "string"}}}
    node["properties"]["parent"] = node  # what the loader makes of `$ref: '#/components/schemas/Node'`
    out = to_json_schema(node)
    assert out["properties"]["parent"] == {"$ref": "#"}
    assert "$defs" not in out
    assert _valid(out, {"name": "a", "parent": {"name": "b", "parent": {"name": "c"}}})
    assert not _valid(out, {"name": "a", "parent": {"name": 5}})


def test_mutual_recursion_below_root_goes_to_defs() -> None:
    order: dict[str, Any] = {"type": "object", "properties": {}}
    line: dict[str, Any] = {"type": "object", "properties": {"order": order}, "required": ["order"]}
    order["properties"]["lines"] = {"type": "array", "items": line}
    page = {"type": "object", "properties": {"first": order, "second": order}}
    out = to_json_schema(page, name_of=lambda node: "SalesOrder" if node is order else None)
    assert out["properties"]["first"] == {"$ref": "#/$defs/SalesOrder"}
    assert out["properties"]["second"] == {"$ref": "#/$defs/SalesOrder"}
    # `line` is reached once (from order), so it stays inline inside the definition.
    assert out["$defs"]["SalesOrder"]["properties"]["lines"]["items"]["properties"]["order"] == {
        "$ref": "#/$defs/SalesOrder"
    }
    assert _valid(out, {"first": {"lines": [{"order": {"lines": []}}]}})
    assert not _valid(out, {"first": {"lines": [{}]}})


def test_shared_diamonds_stay_linear() -> None:
    # Each level uses the next twice: inlining would write 2**40 leaves.
    node: dict[str, Any] = {"type": "string"}
    for _ in range(40):
        node = {"type": "object", "properties": {"left": node, "right": node}}
    out = to_json_schema(node)
    assert len(json.dumps(out)) < 10_000
    assert len(out["$defs"]) == 40


def test_deep_nesting_needs_no_recursion() -> None:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(5000):
        node = {"type": "array", "items": node}
    out = to_json_schema(node)
    depth = 0
    cursor: Any = out
    while "items" in cursor:
        cursor = cursor["items"]
        depth += 1
    assert depth == 5000 and cursor == {"type": "string"}


def test_def_names_are_sanitised_and_unique() -> None:
    a = {"type": "string"}
    b = {"type": "integer"}
    root = {"anyOf": [a, a, b, b]}
    out = to_json_schema(root, name_of=lambda node: "my schema/x~y")
    assert sorted(out["$defs"]) == ["my_schema_x_y", "my_schema_x_y_2"]
    unnamed = to_json_schema(root)
    assert sorted(unnamed["$defs"]) == ["schema1", "schema2"]


def test_openapi_30_nullable() -> None:
    typed = {"type": "string", "enum": ["open", "shipped"], "nullable": True}
    out = to_json_schema(typed, nullable=True)
    assert out["type"] == ["string", "null"] and out["enum"] == ["open", "shipped", None]
    assert _valid(out, None) and not _valid(out, "lost")
    untyped = {"allOf": [{"type": "object", "required": ["a"]}], "nullable": True}
    wrapped = to_json_schema(untyped, nullable=True)
    assert _valid(wrapped, None) and _valid(wrapped, {"a": 1}) and not _valid(wrapped, {})
    # Without the 3.0 dialect `nullable` is not a keyword (OpenAPI 3.1 dropped it).
    assert not _valid(to_json_schema(typed), None)


def test_draft4_boolean_exclusive_bounds() -> None:
    out = to_json_schema({"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 10})
    assert out["exclusiveMinimum"] == 0 and "minimum" not in out and out["maximum"] == 10
    assert not _valid(out, 0) and _valid(out, 10)
    loose = to_json_schema({"type": "number", "maximum": 10, "exclusiveMaximum": False})
    assert "exclusiveMaximum" not in loose and _valid(loose, 10)


def test_draft07_tuples_and_dependencies() -> None:
    schema = {
        "type": "array",
        "items": [{"type": "string"}, {"type": "integer"}],
        "additionalItems": False,
    }
    out = to_json_schema(schema)
    assert out["prefixItems"] == [{"type": "string"}, {"type": "integer"}] and out["items"] is False
    assert _valid(out, ["a", 1]) and not _valid(out, ["a", 1, 2]) and not _valid(out, [1])
    deps = to_json_schema({"dependencies": {"a": ["b"], "c": {"required": ["d"]}}})
    assert deps["dependentRequired"] == {"a": ["b"]}
    assert deps["dependentSchemas"] == {"c": {"required": ["d"]}}
    assert not _valid(deps, {"a": 1}) and not _valid(deps, {"c": 1}) and _valid(deps, {"a": 1, "b": 2})


def test_read_only_and_write_only_relax_required_by_direction() -> None:
    schema = {
        "type": "object",
        "required": ["id", "name", "password"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "name": {"type": "string"},
            "password": {"type": "string", "writeOnly": True},
        },
    }
    request = to_json_schema(schema, direction="request")
    response = to_json_schema(schema, direction="response")
    assert request["required"] == ["name", "password"]
    assert response["required"] == ["id", "name"]
    assert to_json_schema(schema)["required"] == ["id", "name", "password"]


def test_base_uri_changers_and_leftovers_are_dropped() -> None:
    schema = {
        "$id": "https://example.com/order",
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$defs": {"unused": {"type": "string"}},
        "type": "object",
        "properties": {
            "broken": {"$ref": "missing.yaml#/Nope"},  # left in place by the loader
            "tagged": {"$anchor": "x", "type": "string", "x-internal": True},
        },
    }
    out = to_json_schema(schema)
    assert out["$schema"] == DIALECT and "$id" not in out and "$defs" not in out
    assert out["properties"] == {"broken": {}, "tagged": {"type": "string"}}
    assert _valid(out, {"broken": 42, "tagged": "y"})


def test_annotations_kept_on_request() -> None:
    schema = {"type": "string", "description": "Status.", "example": "open", "x-accord": 1, "default": "a"}
    assert to_json_schema(schema, annotations=True) == {"$schema": DIALECT, **schema}


def test_booleans_and_non_schemas() -> None:
    assert to_json_schema(True) == {"$schema": DIALECT}
    assert to_json_schema(False) == {"$schema": DIALECT, "not": {}}
    assert to_json_schema("junk") == {"$schema": DIALECT}
    out = to_json_schema({"properties": {"a": False}, "additionalProperties": True})
    assert out["properties"] == {"a": False} and not _valid(out, {"a": 1})


def test_input_is_not_modified() -> None:
    node: dict[str, Any] = {
        "type": "object",
        "nullable": True,
        "required": ["id"],
        "properties": {"id": {"type": "string", "readOnly": True}, "n": {"type": "number", "minimum": 1}},
    }
    node["properties"]["self"] = node
    before = copy.deepcopy(node)
    to_json_schema(node, nullable=True, direction="request")
    assert node.keys() == before.keys() and node["required"] == ["id"] and node["nullable"] is True
    assert node["properties"]["self"] is node


def test_bundle_exports_each_node_once_and_compiles_through_a_registry() -> None:
    money = {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "string"}}}
    line = {"type": "object", "properties": {"price": money}}
    order: dict[str, Any] = {"type": "object", "properties": {"total": money, "lines": {"items": line}}}
    order["properties"]["parent"] = order
    bundle, pointers = export_bundle([order, line, money, True, order, False])
    assert pointers[0] == pointers[4]
    assert len({pointers[0], pointers[1], pointers[2]}) == 3
    assert len(bundle["$defs"]) == 5  # order, line, money and the two boolean schemas
    registry = jsonschema_rs.Registry([("urn:t", bundle)], draft=jsonschema_rs.Draft202012)

    def check(index: int, instance: Any) -> bool:
        schema = {"$ref": f"urn:t{pointers[index]}"}
        return bool(jsonschema_rs.Draft202012Validator(schema, registry=registry).is_valid(instance))

    assert check(0, {"parent": {"total": {"amount": "1"}}, "lines": [{"price": {"amount": "2"}}]})
    assert not check(0, {"parent": {"lines": [{"price": {}}]}})
    assert not check(2, {}) and check(3, 1) and not check(5, 1)


def test_resolved_document_schema_round_trip(tmp_path: Path) -> None:
    (tmp_path / "shared.yaml").write_text(
        textwrap.dedent(
            """
            Money:
              type: object
              required: [amount, currency]
              properties:
                amount: {type: string, pattern: '^-?[0-9]+(\\.[0-9]+)?$'}
                currency: {type: string, pattern: '^[A-Z]{3}$'}
            """
        )
    )
    (tmp_path / "openapi.yaml").write_text(
        textwrap.dedent(
            """
            openapi: 3.1.0
            info: {title: T, version: 1.0.0}
            paths: {}
            components:
              schemas:
                Category:
                  type: object
                  properties:
                    price: {$ref: 'shared.yaml#/Money'}
                    parent: {$ref: '#/components/schemas/Category'}
                    children:
                      type: array
                      items: {$ref: '#/components/schemas/Category'}
            """
        )
    )
    doc = load_document(tmp_path / "openapi.yaml", root=tmp_path)
    category = doc.data["components"]["schemas"]["Category"]
    out = to_json_schema(category)
    assert out["properties"]["parent"] == {"$ref": "#"}
    ok = {"price": {"amount": "1.50", "currency": "USD"}, "children": [{"parent": {}}]}
    assert _valid(out, ok)
    with pytest.raises(ValueError, match="does not match"):
        jsonschema_rs.Draft202012Validator(out).validate(
            {"children": [{"price": {"amount": "x", "currency": "USD"}}]}
        )
