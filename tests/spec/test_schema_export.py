"""Exporting resolved (possibly cyclic, shared) schemas as self-contained JSON Schema 2020-12."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from accord.loader import load_document
from accord.spec.schema_export import DIALECT, accepts_anything, export_bundle, to_json_schema


def _valid(schema: dict[str, Any], instance: Any) -> bool:
    return bool(jsonschema_rs.Draft202012Validator(schema, validate_formats=True).is_valid(instance))


# -- graph shapes ------------------------------------------------------------------------------


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


def test_mutually_recursive_pair_from_either_side() -> None:
    a: dict[str, Any] = {"type": "object", "properties": {}}
    b: dict[str, Any] = {"type": "object", "properties": {"a": a}}
    a["properties"] = {"b": b, "self": a}
    out = to_json_schema(a, name_of=lambda node: "A" if node is a else "B")
    assert out["properties"]["self"] == {"$ref": "#"}
    # `b` is reached once (from the root), so it stays inline; the cycle closes on the document.
    assert out["properties"]["b"] == {"type": "object", "properties": {"a": {"$ref": "#"}}}
    assert "$defs" not in out
    assert _valid(out, {"b": {"a": {"self": {}}}})
    assert not _valid(out, {"b": {"a": {"self": 3}}})


def test_shared_node_is_defined_once() -> None:
    money = {"type": "object", "required": ["amount"], "properties": {"amount": {"type": "string"}}}
    order = {
        "type": "object",
        "properties": {"total": money, "tax": money, "lines": {"items": {"type": "string"}}},
    }
    out = to_json_schema(order, name_of=lambda node: "Money" if node is money else None)
    assert out["properties"]["total"] == out["properties"]["tax"] == {"$ref": "#/$defs/Money"}
    assert list(out["$defs"]) == ["Money"]  # the node reached once stays inline
    assert _valid(out, {"total": {"amount": "1"}, "tax": {"amount": "0"}})
    assert not _valid(out, {"total": {"amount": "1"}, "tax": {}})


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


# -- OpenAPI 3.0 ------------------------------------------------------------------------------


def test_openapi_30_nullable_adds_null_to_type_and_enum() -> None:
    typed = {"type": "string", "enum": ["open", "shipped"], "nullable": True}
    out = to_json_schema(typed, openapi30=True)
    assert out["type"] == ["string", "null"] and out["enum"] == ["open", "shipped", None]
    assert "nullable" not in out
    assert _valid(out, None) and _valid(out, "open") and not _valid(out, "lost")
    assert to_json_schema({"type": ["string", "integer"], "nullable": True}, openapi30=True)["type"] == [
        "string",
        "integer",
        "null",
    ]
    assert to_json_schema({"type": "null", "nullable": True}, openapi30=True)["type"] == "null"
    assert not _valid(to_json_schema({"type": "string", "nullable": False}, openapi30=True), None)


def test_openapi_30_nullable_without_type_adds_nothing_but_the_enum_member() -> None:
    # OAS 3.0.3 §4.7.24.1: `nullable` adds null "only if type is explicitly defined within the same
    # Schema Object"; other keywords keep their meaning and may still refuse null.
    untyped = {"allOf": [{"type": "object", "required": ["a"]}], "nullable": True}
    out = to_json_schema(untyped, openapi30=True)
    assert out == {"$schema": DIALECT, "allOf": [{"type": "object", "required": ["a"]}]}
    assert not _valid(out, None) and _valid(out, {"a": 1})
    enum = to_json_schema({"enum": ["a", "b"], "nullable": True}, openapi30=True)
    assert enum["enum"] == ["a", "b", None] and _valid(enum, None)


def test_nullable_is_no_keyword_outside_openapi_30() -> None:
    typed = {"type": "string", "enum": ["open"], "nullable": True}
    out = to_json_schema(typed)
    assert out == {"$schema": DIALECT, "type": "string", "enum": ["open"]}
    assert not _valid(out, None)


def test_nullable_recursive_root_and_shared_nodes() -> None:
    node: dict[str, Any] = {"type": "object", "nullable": True, "properties": {}}
    node["properties"]["next"] = node
    out = to_json_schema(node, openapi30=True)
    assert out["type"] == ["object", "null"] and out["properties"]["next"] == {"$ref": "#"}
    assert _valid(out, None) and _valid(out, {"next": {"next": None}}) and not _valid(out, {"next": 1})


@pytest.mark.parametrize("openapi30", [False, True])
def test_draft4_boolean_exclusive_bounds(openapi30: bool) -> None:
    out = to_json_schema(
        {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 10}, openapi30=openapi30
    )
    assert out["exclusiveMinimum"] == 0 and "minimum" not in out and out["maximum"] == 10
    assert not _valid(out, 0) and _valid(out, 10) and _valid(out, 0.001)
    upper = to_json_schema({"type": "number", "maximum": 10, "exclusiveMaximum": True}, openapi30=openapi30)
    assert upper["exclusiveMaximum"] == 10 and "maximum" not in upper and not _valid(upper, 10)
    loose = to_json_schema({"type": "number", "maximum": 10, "exclusiveMaximum": False}, openapi30=openapi30)
    assert "exclusiveMaximum" not in loose and _valid(loose, 10)
    unbounded = to_json_schema({"type": "number", "exclusiveMinimum": True}, openapi30=openapi30)
    assert "exclusiveMinimum" not in unbounded and _valid(unbounded, -5)
    numeric = to_json_schema({"type": "number", "exclusiveMinimum": 0}, openapi30=openapi30)
    assert numeric["exclusiveMinimum"] == 0 and not _valid(numeric, 0)


# -- draft-07 (AsyncAPI) ----------------------------------------------------------------------


def test_draft07_tuples_and_dependencies() -> None:
    schema = {
        "type": "array",
        "items": [{"type": "string"}, {"type": "integer"}],
        "additionalItems": False,
    }
    out = to_json_schema(schema)
    assert out["prefixItems"] == [{"type": "string"}, {"type": "integer"}] and out["items"] is False
    assert "additionalItems" not in out
    assert _valid(out, ["a", 1]) and not _valid(out, ["a", 1, 2]) and not _valid(out, [1])
    open_tuple = to_json_schema({"type": "array", "items": [{"type": "string"}]})
    assert "items" not in open_tuple and _valid(open_tuple, ["a", 1]) and not _valid(open_tuple, [1])
    deps = to_json_schema({"dependencies": {"a": ["b"], "c": {"required": ["d"]}}})
    assert deps["dependentRequired"] == {"a": ["b"]}
    assert deps["dependentSchemas"] == {"c": {"required": ["d"]}}
    assert not _valid(deps, {"a": 1}) and not _valid(deps, {"c": 1}) and _valid(deps, {"a": 1, "b": 2})


def test_additional_items_beside_a_single_items_schema_is_dropped() -> None:
    # 2020-12 has no `additionalItems`; beside a single `items` schema draft-07 ignores it too.
    out = to_json_schema({"type": "array", "items": {"type": "string"}, "additionalItems": False})
    assert out == {"$schema": DIALECT, "type": "array", "items": {"type": "string"}}


def test_2020_12_keywords_pass_through() -> None:
    schema = {
        "type": "array",
        "prefixItems": [{"type": "string"}],
        "items": False,
        "contains": {"const": "a"},
        "unevaluatedItems": False,
    }
    assert to_json_schema(schema) == {"$schema": DIALECT, **schema}
    conditional = {
        "if": {"properties": {"k": {"const": "a"}}},
        "then": {"required": ["x"]},
        "else": {"required": ["y"]},
        "dependentRequired": {"p": ["q"]},
        "propertyNames": {"pattern": "^[a-z]+$"},
    }
    out = to_json_schema(conditional)
    assert out == {"$schema": DIALECT, **conditional}
    assert (
        _valid(out, {"k": "a", "x": 1}) and not _valid(out, {"k": "b"}) and not _valid(out, {"y": 1, "p": 1})
    )


# -- readOnly / writeOnly ---------------------------------------------------------------------


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
    assert _valid(request, {"name": "n", "password": "p"}) and not _valid(request, {"id": "1", "name": "n"})
    assert _valid(response, {"id": "1", "name": "n"}) and not _valid(response, {"name": "n", "password": "p"})
    # the flags themselves are annotations: dropped, and a read-only value is still accepted when sent
    assert "readOnly" not in request["properties"]["id"] and _valid(
        request, {"id": "1", "name": "n", "password": "p"}
    )


def test_required_goes_when_every_member_is_hidden() -> None:
    schema = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string", "readOnly": True}},
    }
    assert "required" not in to_json_schema(schema, direction="request")
    assert to_json_schema(schema, direction="response")["required"] == ["id"]


def test_direction_applies_inside_shared_and_recursive_nodes() -> None:
    node: dict[str, Any] = {
        "type": "object",
        "required": ["id", "children"],
        "properties": {"id": {"type": "string", "readOnly": True}},
    }
    node["properties"]["children"] = {"type": "array", "items": node}
    page = {"type": "object", "properties": {"first": node, "second": node}}
    request = to_json_schema(page, direction="request", name_of=lambda n: "Node" if n is node else None)
    assert request["$defs"]["Node"]["required"] == ["children"]
    assert _valid(request, {"first": {"children": [{"children": []}]}})
    response = to_json_schema(page, direction="response")
    assert not _valid(response, {"first": {"id": "a", "children": [{"children": []}]}})


# -- dropped keywords and annotations ---------------------------------------------------------


def test_base_uri_changers_and_leftovers_are_dropped() -> None:
    schema = {
        "$id": "https://example.com/order",
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$defs": {"unused": {"type": "string"}},
        "definitions": {"old": {"type": "string"}},
        "type": "object",
        "properties": {
            "broken": {"$ref": "missing.yaml#/Nope"},  # left in place by the loader
            "tagged": {"$anchor": "x", "type": "string", "x-internal": True},
            "dynamic": {"$dynamicAnchor": "meta", "$dynamicRef": "#meta", "$comment": "c"},
            "legacy": {"$recursiveAnchor": True, "$recursiveRef": "#", "$vocabulary": {}},
        },
    }
    out = to_json_schema(schema)
    assert out["$schema"] == DIALECT and "$id" not in out and "$defs" not in out and "definitions" not in out
    assert out["properties"] == {"broken": {}, "tagged": {"type": "string"}, "dynamic": {}, "legacy": {}}
    assert _valid(out, {"broken": 42, "tagged": "y", "dynamic": 1, "legacy": 2})
    unresolved_with_siblings = to_json_schema({"$ref": "missing.yaml#/Nope", "type": "string"})
    assert unresolved_with_siblings == {"$schema": DIALECT, "type": "string"}


def test_nested_id_does_not_move_the_base_of_defs_references() -> None:
    shared = {"type": "string", "minLength": 2}
    schema = {
        "type": "object",
        "properties": {
            "a": {"$id": "https://example.com/a", "type": "object", "properties": {"p": shared, "q": shared}},
            "b": shared,
        },
    }
    out = to_json_schema(schema)
    assert _valid(out, {"a": {"p": "xx", "q": "yy"}, "b": "zz"})
    assert not _valid(out, {"a": {"p": "xx", "q": "y"}})


ANNOTATED = {
    "type": "string",
    "title": "Status",
    "description": "Status.",
    "example": "open",
    "examples": ["open"],
    "default": "a",
    "deprecated": True,
    "readOnly": True,
    "writeOnly": False,
    "externalDocs": {"url": "https://example.com"},
    "xml": {"name": "status"},
    "discriminator": {"propertyName": "kind"},
    "$comment": "c",
    "x-accord": 1,
}


def test_annotations_dropped_by_default() -> None:
    assert to_json_schema(ANNOTATED) == {"$schema": DIALECT, "type": "string"}
    assert to_json_schema({"not": {"type": "string", "description": "d"}})["not"] == {"type": "string"}


def test_annotations_kept_on_request() -> None:
    assert to_json_schema(ANNOTATED, annotations=True) == {"$schema": DIALECT, **ANNOTATED}
    # dialect markers and identifiers go whatever the option
    kept = to_json_schema({"type": "string", "nullable": True, "$id": "x", "title": "T"}, annotations=True)
    assert kept == {"$schema": DIALECT, "type": "string", "title": "T"}


def test_booleans_and_non_schemas() -> None:
    assert to_json_schema(True) == {"$schema": DIALECT}
    assert to_json_schema(False) == {"$schema": DIALECT, "not": {}}
    assert to_json_schema("junk") == {"$schema": DIALECT}
    out = to_json_schema({"properties": {"a": False}, "additionalProperties": True})
    assert out["properties"] == {"a": False} and not _valid(out, {"a": 1})
    assert to_json_schema({1: "not a keyword", "type": "string"}) == {"$schema": DIALECT, "type": "string"}


def test_accepts_anything() -> None:
    assert accepts_anything(to_json_schema({}))
    assert accepts_anything(to_json_schema({"description": "anything", "x-a": 1}))
    assert accepts_anything(to_json_schema(True))
    assert not accepts_anything(to_json_schema(False))
    assert not accepts_anything(to_json_schema({"type": "string"}))


def test_input_is_not_modified() -> None:
    node: dict[str, Any] = {
        "type": "object",
        "nullable": True,
        "required": ["id"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "n": {"type": "number", "minimum": 1, "exclusiveMinimum": True},
            "t": {"items": [{"type": "string"}], "additionalItems": False},
        },
    }
    node["properties"]["self"] = node
    before = copy.deepcopy(node)
    to_json_schema(node, openapi30=True, direction="request")
    export_bundle([node], openapi30=True, direction="request")
    assert node.keys() == before.keys() and node["required"] == ["id"] and node["nullable"] is True
    assert node["properties"]["n"] == before["properties"]["n"]
    assert node["properties"]["t"] == before["properties"]["t"]
    assert node["properties"]["self"] is node


# -- bundles ----------------------------------------------------------------------------------


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


def test_bundle_applies_the_options() -> None:
    user = {
        "type": "object",
        "nullable": True,
        "required": ["id", "name"],
        "properties": {"id": {"type": "string", "readOnly": True}, "name": {"type": "string"}},
    }
    bundle, (pointer,) = export_bundle([user], openapi30=True, direction="request", name_of=lambda n: "User")
    assert pointer == "#/$defs/User"
    assert bundle["$defs"]["User"]["required"] == ["name"] and bundle["$defs"]["User"]["type"] == [
        "object",
        "null",
    ]


# -- the loader's graph -----------------------------------------------------------------------


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
