"""Bundling: self-contained output, and bundle -> reload is equivalent to the original (property-based)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.contracts import load_one
from accord.loader import load_document
from accord.loader.bundle import bundle, dereference

ROOT = Path(__file__).resolve().parents[2]


def _equivalent(original: Any, bundled_doc: Any) -> bool:
    """Same resolved content; the bundle may only add hoisted entries under components."""
    a, b = dereference(original), dereference(bundled_doc)
    extra = {
        (section, name)
        for section, entries in (b.get("components") or {}).items()
        for name in (entries or {})
        if name not in ((a.get("components") or {}).get(section) or {})
    }
    for section, name in extra:
        del b["components"][section][name]
        if not b["components"][section]:
            del b["components"][section]
    if not b.get("components") and "components" not in a:
        b.pop("components", None)
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _reload(tmp_path: Path, data: Any) -> Any:
    target = tmp_path / "bundled.yaml"
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_document(target, root=tmp_path)


def test_corpus_documents_bundle_and_reload_equivalently(tmp_path: Path) -> None:
    for path in sorted((ROOT / "contracts").glob("*/*api.yaml")):
        doc = load_one(path)
        if doc.ref_problems:
            continue
        bundled = bundle(doc)
        assert "../" not in json.dumps(bundled), f"{path} bundle still refers to other files"
        again = _reload(tmp_path, bundled)
        assert again.ref_problems == []
        assert _equivalent(doc, again), path


_leaf = st.fixed_dictionaries({"type": st.sampled_from(["string", "integer", "boolean"])})
_names = st.text(alphabet="abcdefghij", min_size=1, max_size=5)
_schema = st.recursive(
    _leaf,
    lambda children: st.fixed_dictionaries(
        {"type": st.just("object"), "properties": st.dictionaries(_names, children, min_size=1, max_size=3)}
    ),
    max_leaves=8,
)


@settings(max_examples=40, deadline=None)
@given(schemas=st.dictionaries(_names, _schema, min_size=1, max_size=4), split=st.data())
def test_bundle_of_split_documents_is_equivalent(
    tmp_path_factory: Any, schemas: dict[str, Any], split: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("split")
    external = {n: s for n, s in schemas.items() if split.draw(st.booleans(), label=f"external {n}")}
    (folder / "lib").mkdir()
    (folder / "lib" / "schemas.yaml").write_text(yaml.safe_dump(external))
    local = {n: s for n, s in schemas.items() if n not in external}
    content = {
        name: {"$ref": f"lib/schemas.yaml#/{name}"}
        if name in external
        else {"$ref": f"#/components/schemas/{name}"}
        for name in schemas
    }
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {
            f"/v1/{name}s": {
                "get": {
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": ref}}}
                    }
                }
            }
            for name, ref in content.items()
        },
        "components": {"schemas": local} if local else {},
    }
    (folder / "openapi.yaml").write_text(yaml.safe_dump(spec))
    doc = load_document(folder / "openapi.yaml", root=folder)
    assert doc.ref_problems == []
    again = _reload(folder, bundle(doc))
    assert again.ref_problems == []
    assert _equivalent(doc, again)


def test_dereference_keeps_recursion_as_local_ref(tmp_path: Path) -> None:
    spec = tmp_path / "o.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: 1.0.0}\npaths: {}\ncomponents:\n  schemas:\n"
        "    Node: {type: object, properties: {next: {$ref: '#/components/schemas/Node'}}}\n"
    )
    data = dereference(load_document(spec))
    assert data["components"]["schemas"]["Node"]["properties"]["next"] == {
        "$ref": "#/components/schemas/Node"
    }
