"""Hard cases of the delta and the rules: allOf, oneOf matching, cycles, 3.0 nullable, stability, security."""

from __future__ import annotations

from typing import Any

from accord.model import Severity
from tests.diff.conftest import Pair


def api(
    schema: Any,
    *,
    components: dict[str, Any] | None = None,
    version: str = "3.1.0",
    op_extra: dict[str, Any] | None = None,
    info_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "T", "version": "1.0.0", **(info_extra or {})},
        "paths": {
            "/things": {
                "get": {
                    "responses": {
                        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}
                    },
                    **(op_extra or {}),
                }
            }
        },
    }
    if components:
        doc["components"] = {"schemas": components}
    return doc


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


S = {"type": "string"}


def test_moving_properties_into_allof_is_no_change(pair: Pair) -> None:
    flat = obj(id=S, name=S)
    split = {"allOf": [{"$ref": "#/components/schemas/Base"}, obj(name=S)]}
    assert pair.ids(api(flat), api(split, components={"Base": obj(id=S)})) == {}


def test_property_removed_through_allof_member_points_at_the_member(pair: Pair) -> None:
    base = {"allOf": [{"$ref": "#/components/schemas/Base"}, obj(name=S)]}
    result = pair.diff(
        api(base, components={"Base": obj(id=S, legacy=S)}), api(base, components={"Base": obj(id=S)})
    )
    assert [c.id for c in result.changes] == ["response-property-removed"]
    assert result.changes[0].base is not None
    assert result.changes[0].base.pointer == "/components/schemas/Base/properties/legacy"


def test_oneof_alternatives_are_matched_by_structure_not_index(pair: Pair) -> None:
    cat = obj(kind={"const": "cat"}, lives={"type": "integer"})
    dog = obj(kind={"const": "dog"}, bark=S)
    bird = obj(kind={"const": "bird"}, wings={"type": "integer"})
    found = pair.ids(api({"oneOf": [cat, dog]}), api({"oneOf": [bird, dog, cat]}))
    assert found == {"response-property-one-of-added": "warning"}


def test_oneof_alternative_change_is_found_inside_the_matched_alternative(pair: Pair) -> None:
    cat = obj(kind={"const": "cat"}, lives={"type": "integer"})
    dog = obj(kind={"const": "dog"}, bark=S)
    dog2 = obj(kind={"const": "dog"})
    assert pair.ids(api({"oneOf": [cat, dog]}), api({"oneOf": [dog2, cat]})) == {
        "response-property-removed": "error"
    }


def test_recursive_schemas_terminate_and_find_nested_changes(pair: Pair) -> None:
    def tree(extra: dict[str, Any]) -> dict[str, Any]:
        return {
            "Node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                    **extra,
                },
            }
        }

    ref = {"$ref": "#/components/schemas/Node"}
    assert pair.ids(api(ref, components=tree({"name": S})), api(ref, components=tree({"name": S}))) == {}
    assert pair.ids(api(ref, components=tree({"name": S})), api(ref, components=tree({}))) == {
        "response-property-removed": "error"
    }


def test_openapi_30_nullable_equals_31_type_array(pair: Pair) -> None:
    assert pair.ids(api({**S, "nullable": True}, version="3.0.3"), api({"type": ["string", "null"]})) == {}
    assert pair.ids(api(S, version="3.0.3"), api({**S, "nullable": True}, version="3.0.3")) == {
        "response-property-became-nullable": "error"
    }


def test_oneof_with_null_is_nullable(pair: Pair) -> None:
    assert pair.ids(api(S), api({"oneOf": [S, {"type": "null"}]})) == {
        "response-property-became-nullable": "error"
    }


def test_read_only_property_added_as_required_is_not_a_request_change(pair: Pair) -> None:
    def doc(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
        schema = {"type": "object", "properties": props, "required": required}
        return {
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {
                "/t": {
                    "post": {
                        "requestBody": {"content": {"application/json": {"schema": schema}}},
                        "responses": {
                            "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}
                        },
                    }
                }
            },
        }

    found = pair.ids(doc({"a": S}, ["a"]), doc({"a": S, "id": {**S, "readOnly": True}}, ["a", "id"]))
    assert found == {"response-required-property-added": "info"}


def test_beta_stability_downgrades_errors_and_experimental_to_info(pair: Pair) -> None:
    base_beta = api(obj(id=S), op_extra={"x-accord-stability": "beta"})
    result = pair.diff(base_beta, api(obj()))
    assert [(c.id, c.level) for c in result.changes] == [("response-property-removed", Severity.WARN)]
    assert result.changes[0].details["defaultLevel"] == "error"
    exp = api(obj(id=S), info_extra={"x-accord-stability": "experimental"})
    assert [c.level for c in pair.diff(exp, api(obj())).changes] == [Severity.INFO]
    assert [c.level for c in pair.diff(api(obj(id=S)), api(obj()), stability="beta").changes] == [
        Severity.WARN
    ]


def test_header_parameter_names_match_case_insensitively(pair: Pair) -> None:
    def doc(name: str) -> dict[str, Any]:
        return api(S, op_extra={"parameters": [{"name": name, "in": "header", "schema": S}]})

    assert pair.ids(doc("X-Tenant"), doc("x-tenant")) == {}


def test_status_range_answers_for_a_removed_code(pair: Pair) -> None:
    def doc(code: str) -> dict[str, Any]:
        return {
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {"/t": {"get": {"responses": {code: {"description": "OK"}}}}},
        }

    assert pair.ids(doc("200"), doc("2XX")) == {}


def test_adding_and_requirement_is_security_added(pair: Pair) -> None:
    schemes = {
        "securitySchemes": {
            "a": {"type": "apiKey", "in": "header", "name": "A"},
            "b": {"type": "apiKey", "in": "header", "name": "B"},
        }
    }
    base = {**api(S, op_extra={"security": [{"a": []}]}), "components": schemes}
    rev = {**api(S, op_extra={"security": [{"a": [], "b": []}]}), "components": schemes}
    assert pair.ids(base, rev) == {"api-security-added": "error"}


def test_type_change_hides_nested_noise(pair: Pair) -> None:
    assert pair.ids(
        api(obj(qty={"type": "integer", "maximum": 5})), api(obj(qty={"type": "string", "maxLength": 3}))
    ) == {"response-property-type-changed": "error"}


def test_integer_to_number_is_widening_only_for_requests(pair: Pair) -> None:
    def doc(t: str) -> dict[str, Any]:
        schema = obj(q={"type": t})
        return {
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1"},
            "paths": {
                "/t": {
                    "post": {
                        "requestBody": {"content": {"application/json": {"schema": schema}}},
                        "responses": {
                            "200": {"description": "OK", "content": {"application/json": {"schema": schema}}}
                        },
                    }
                }
            },
        }

    assert pair.ids(doc("integer"), doc("number")) == {
        "request-property-type-generalized": "info",
        "response-property-type-changed": "error",
    }


def test_documentation_keywords_are_no_change_but_properties_named_like_them_are(pair: Pair) -> None:
    base = obj(description=S, title=S)
    documented = {**obj(description=S, title=S), "description": "A thing", "examples": [{"title": "x"}]}
    assert pair.ids(api(base), api(documented)) == {}
    assert pair.ids(api(base), api(obj(description={"type": "integer"}, title=S))) == {
        "response-property-type-changed": "error"
    }
    assert pair.ids(api(base), api(obj(title=S))) == {"response-property-removed": "error"}


def test_enum_values_compare_by_type(pair: Pair) -> None:
    assert pair.ids(api({"enum": [1, 2]}), api({"enum": ["1", 2]})) == {
        "response-property-enum-value-removed": "info",
        "response-property-enum-value-added": "warning",
    }


def test_unquoted_status_codes_match_quoted_ones(pair: Pair) -> None:
    text = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /t:\n    get:\n      responses:\n        {code}:\n          description: OK\n"
    assert pair.ids(text.replace("{code}", "200"), text.replace("{code}", "'200'")) == {}
    result = pair.diff(text.replace("{code}", "200"), text.replace("{code}", "201"))
    assert {c.id for c in result.changes} == {
        "response-success-status-removed",
        "response-success-status-added",
    }
    removed = next(c for c in result.changes if c.id == "response-success-status-removed")
    assert removed.base is not None and removed.base.pointer == "/paths/~1t/get/responses/200"
    assert removed.base.line == 7
