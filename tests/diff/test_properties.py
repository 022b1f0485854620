"""Properties of the checker over generated schemas (hypothesis)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.diff import diff_documents
from accord.loader import Document, document_from_source, parse_source

TODAY = date(2025, 6, 1)
NAMES = st.sampled_from(["id", "sku", "qty", "note", "status", "lines", "total", "meta"])

leaf = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "maxLength": st.integers(1, 50),
            "enum": st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, unique=True),
            "format": st.sampled_from(["date", "uuid"]),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("integer")}, optional={"minimum": st.integers(0, 5), "maximum": st.integers(10, 99)}
    ),
    st.just({"type": "boolean"}),
    st.just({"type": ["string", "null"]}),
)


def _object(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        props = draw(st.dictionaries(NAMES, children, min_size=1, max_size=4))
        required = draw(st.lists(st.sampled_from(sorted(props)), unique=True))
        schema: dict[str, Any] = {"type": "object", "properties": props}
        if required:
            schema["required"] = required
        return schema

    return build()


schemas = st.recursive(
    leaf,
    lambda children: st.one_of(
        _object(children), st.builds(lambda i: {"type": "array", "items": i}, children)
    ),
    max_leaves=12,
)
objects = _object(schemas)


def doc(schema: Any, *, by_ref: bool = False, name: str = "a.json") -> Document:
    use = {"$ref": "#/components/schemas/Thing"} if by_ref else schema
    data: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1.0.0"},
        "paths": {
            "/things": {
                "get": {
                    "responses": {
                        "200": {"description": "OK", "content": {"application/json": {"schema": use}}}
                    }
                },
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": use}}},
                    "responses": {"204": {"description": "OK"}},
                },
            }
        },
    }
    if by_ref:
        data["components"] = {"schemas": {"Thing": schema}}
    source = parse_source(Path(name), orjson.dumps(data), name)
    return document_from_source(source, root=Path.cwd())


@settings(max_examples=40, deadline=None)
@given(schemas)
def test_a_document_against_itself_has_no_changes(schema: Any) -> None:
    assert diff_documents(doc(schema), doc(schema, name="b.json"), today=TODAY).changes == []


@settings(max_examples=40, deadline=None)
@given(schemas)
def test_ref_structure_is_no_change(schema: Any) -> None:
    """diff(A, bundle(A)) is empty: inlining a $ref'd schema (or the reverse) changes nothing."""
    assert diff_documents(doc(schema, by_ref=True), doc(schema, name="b.json"), today=TODAY).changes == []
    assert diff_documents(doc(schema), doc(schema, by_ref=True, name="b.json"), today=TODAY).changes == []


@settings(max_examples=40, deadline=None)
@given(objects, st.sampled_from(["added1", "added2"]), leaf)
def test_swapping_a_safe_addition_gives_a_removal(base: dict[str, Any], name: str, prop: Any) -> None:
    revision = {**base, "properties": {**base["properties"], name: prop}}
    forward = {
        c.id: c.level.label
        for c in diff_documents(doc(base), doc(revision, name="b.json"), today=TODAY).changes
    }
    assert forward == {"response-optional-property-added": "info", "new-optional-request-property": "info"}
    backward = {
        c.id: c.level.label
        for c in diff_documents(
            doc(revision), doc(base, name="b.json"), today=TODAY, check_version=False
        ).changes
    }
    assert backward == {"response-property-removed": "error", "request-property-removed": "warn"}


def test_every_contract_against_its_bundle_has_no_changes() -> None:
    """diff(A, bundle(A)) is empty for the multi-file contracts of the repository."""
    import pytest

    bundle_module = pytest.importorskip("accord.loader.bundle")
    from accord.contracts import load_contract_set

    root = Path(__file__).parents[2] / "contracts"
    contract_set = load_contract_set([root])
    assert contract_set.documents
    for original in contract_set.documents:
        bundled = bundle_module.bundle(original)
        source = parse_source(original.path, orjson.dumps(bundled), f"bundled {original.display}")
        other = document_from_source(source, root=root)
        assert diff_documents(original, other, today=TODAY).changes == [], original.display
