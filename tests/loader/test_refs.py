"""$ref resolution: escaping, chains, cycles, dangling and hostile references."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import UnsupportedSpecError
from accord.loader import load_document

HEAD = "openapi: 3.1.0\ninfo: {title: t, version: 1.0.0}\n"


def _doc(tmp_path: Path, body: str) -> Path:
    spec = tmp_path / "api" / "openapi.yaml"
    spec.parent.mkdir(exist_ok=True)
    spec.write_text(HEAD + body)
    return spec


def test_escaped_and_percent_encoded_pointers(tmp_path: Path) -> None:
    body = """paths:
  /a/{b}:
    get: {responses: {'200': {description: slash}}}
  /c~d: {}
x-refs:
  slash: {$ref: '#/paths/~1a~1%7Bb%7D/get'}
  tilde: {$ref: '#/paths/~1c~0d'}
"""
    doc = load_document(_doc(tmp_path, body), root=tmp_path)
    assert doc.ref_problems == []
    assert doc.data["x-refs"]["slash"] is doc.data["paths"]["/a/{b}"]["get"]
    assert doc.data["x-refs"]["tilde"] is doc.data["paths"]["/c~d"]


def test_ref_to_ref_chain_and_cross_file(tmp_path: Path) -> None:
    body = "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '../lib/s.yaml#/C'}\n"
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "s.yaml").write_text("C: {type: string}\n")
    doc = load_document(_doc(tmp_path, body), root=tmp_path)
    schemas = doc.data["components"]["schemas"]
    assert schemas["A"] == {"type": "string"} and schemas["A"] is schemas["B"]


def test_cyclic_ref_chain_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    body = "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"
    doc = load_document(_doc(tmp_path, body), root=tmp_path)
    assert any("cyclic $ref chain" in p.message for p in doc.ref_problems)


def test_dangling_ref_is_located(tmp_path: Path) -> None:
    body = "components:\n  schemas:\n    A: {$ref: '#/components/schemas/Missing'}\n"
    doc = load_document(_doc(tmp_path, body), root=tmp_path)
    [problem] = doc.ref_problems
    assert "dangling $ref" in problem.message
    assert problem.pointer == "/components/schemas/A"
    assert problem.file.location(problem.pointer).line == 5


def test_ref_leaving_the_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("X: {type: string}\n")
    root = tmp_path / "contracts"
    root.mkdir()
    spec = root / "openapi.yaml"
    spec.write_text(HEAD + "components:\n  schemas:\n    A: {$ref: '../secret.yaml#/X'}\n")
    doc = load_document(spec, root=root)
    [problem] = doc.ref_problems
    assert "leaves the contract root" in problem.message
    assert doc.data["components"]["schemas"]["A"] == {"$ref": "../secret.yaml#/X"}


@pytest.mark.parametrize("ref", ["https://example.com/s.yaml#/X", "file:///etc/passwd", "ftp://h/x"])
def test_remote_refs_are_refused(tmp_path: Path, ref: str) -> None:
    body = f"components:\n  schemas:\n    A: {{$ref: '{ref}'}}\n"
    doc = load_document(_doc(tmp_path, body), root=tmp_path)
    [problem] = doc.ref_problems
    assert "refused" in problem.message


def test_missing_referenced_file(tmp_path: Path) -> None:
    body = "components:\n  schemas:\n    A: {$ref: 'nope.yaml#/X'}\n"
    doc = load_document(_doc(tmp_path, body), root=tmp_path)
    assert "cannot load referenced file nope.yaml" in doc.ref_problems[0].message


def test_refs_inside_examples_are_literal_data(tmp_path: Path) -> None:
    body = """paths:
  /x:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              examples:
                e: {value: {$ref: '#/not/a/reference'}}
"""
    doc = load_document(_doc(tmp_path, body), root=tmp_path)
    assert doc.ref_problems == []
    media = doc.data["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]
    assert media["examples"]["e"]["value"] == {"$ref": "#/not/a/reference"}


def test_ref_siblings_override_description(tmp_path: Path) -> None:
    body = """components:
  schemas:
    Base: {type: string, description: base}
    Use: {$ref: '#/components/schemas/Base', description: overridden}
"""
    doc = load_document(_doc(tmp_path, body), root=tmp_path)
    schemas = doc.data["components"]["schemas"]
    assert schemas["Use"] == {"type": "string", "description": "overridden"}
    assert schemas["Base"]["description"] == "base"
    [site] = [s for s in doc.ref_sites if s.pointer == "/components/schemas/Use"]
    assert site.siblings == ("description",)


def test_asyncapi_operation_ref_through_a_referenced_channel(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text(
        "asyncapi: 3.0.0\ninfo: {title: o, version: 1.0.0}\nchannels:\n"
        "  c: {address: a.b.c.v1, messages: {m: {payload: {type: object}}}}\n"
    )
    spec = tmp_path / "asyncapi.yaml"
    spec.write_text(
        "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\nchannels:\n  c: {$ref: 'other.yaml#/channels/c'}\n"
        "operations:\n  onC:\n    action: receive\n    channel: {$ref: '#/channels/c'}\n"
        "    messages: [{$ref: '#/channels/c/messages/m'}]\n"
    )
    doc = load_document(spec, root=tmp_path)
    assert doc.ref_problems == []
    op = doc.data["operations"]["onC"]
    assert op["messages"][0] is doc.data["channels"]["c"]["messages"]["m"]
    assert doc.where(op["messages"][0]).file.endswith("other.yaml")


def test_swagger_2_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    spec = tmp_path / "swagger.yaml"
    spec.write_text("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    with pytest.raises(UnsupportedSpecError, match=r"Swagger 2\.0 is not supported") as info:
        load_document(spec)
    assert info.value.location is not None and info.value.location.pointer == "/swagger"


def test_unsupported_openapi_version(tmp_path: Path) -> None:
    spec = tmp_path / "o.yaml"
    spec.write_text("openapi: 4.0.0\ninfo: {title: t, version: '1'}\n")
    with pytest.raises(UnsupportedSpecError, match="not supported"):
        load_document(spec)


def test_members_named_like_literal_keywords_are_still_resolved(tmp_path: Path) -> None:
    body = """paths:
  /x:
    get:
      responses:
        default: {$ref: '#/components/responses/Problem'}
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {enum: {$ref: '#/components/schemas/S'}}}
              examples:
                default: {$ref: '#/components/examples/E'}
components:
  schemas:
    S: {type: string, default: {$ref: '#/literal'}}
  responses:
    Problem: {description: problem}
  examples:
    E: {value: {$ref: '#/also/literal'}}
"""
    doc = load_document(_doc(tmp_path, body), root=tmp_path)
    assert doc.ref_problems == []
    components = doc.data["components"]
    get = doc.data["paths"]["/x"]["get"]
    assert get["responses"]["default"] is components["responses"]["Problem"]
    media = get["responses"]["200"]["content"]["application/json"]
    assert media["schema"]["properties"]["enum"] is components["schemas"]["S"]
    assert media["examples"]["default"] is components["examples"]["E"]
    assert components["schemas"]["S"]["default"] == {"$ref": "#/literal"}
    assert components["examples"]["E"]["value"] == {"$ref": "#/also/literal"}
