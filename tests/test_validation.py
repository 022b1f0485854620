"""Structural validation: OpenAPI via the OAI schemas, fragments checked in context, AsyncAPI 2.6/3.0."""

from __future__ import annotations

from pathlib import Path

from accord.loader import load_document
from accord.validation import validate_document


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_our_corpus_is_structurally_valid(contracts_dir: Path) -> None:
    from accord.contracts import load_contract_set

    contract_set = load_contract_set([contracts_dir])
    assert contract_set.errors == []
    assert len(contract_set.documents) == 18
    for doc in contract_set.documents:
        assert validate_document(doc) == [], doc.display


def test_openapi_error_is_located_in_the_entry_file(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "o.yaml",
        "openapi: 3.1.0\ninfo: {title: t, version: 1.0.0}\npaths:\n  /x:\n    get:\n      responses:\n"
        "        '200': {description: 5}\n",
    )
    [finding] = validate_document(load_document(spec))
    assert finding.location.pointer == "/paths/~1x/get/responses/200/description"
    assert finding.location.line == 7
    assert "string" in finding.message


def test_error_inside_a_referenced_fragment_points_into_the_fragment(tmp_path: Path) -> None:
    _write(tmp_path, "params.yaml", "Limit:\n  name: limit\n  in: querystring\n  schema: {type: integer}\n")
    spec = _write(
        tmp_path,
        "o.yaml",
        "openapi: 3.1.0\ninfo: {title: t, version: 1.0.0}\npaths:\n  /x:\n    get:\n"
        "      parameters: [{$ref: 'params.yaml#/Limit'}]\n      responses: {'200': {description: ok}}\n",
    )
    findings = validate_document(load_document(spec, root=tmp_path))
    assert findings, "the invalid parameter in the fragment must be reported"
    assert all(f.location.file.endswith("params.yaml") for f in findings)
    assert any(f.location.pointer.startswith("/Limit") and f.location.line in (1, 3) for f in findings)


def test_unresolved_refs_are_validation_errors(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "o.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths: {}\ncomponents:\n  schemas:\n"
        "    A: {$ref: '#/components/schemas/B'}\n",
    )
    [finding] = validate_document(load_document(spec))
    assert finding.rule_id == "unresolved-ref"
    assert (finding.location.pointer, finding.location.line) == ("/components/schemas/A", 6)


def test_asyncapi_3_operation_action_is_checked(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "a.yaml",
        "asyncapi: 3.0.0\ninfo: {title: t, version: 1.0.0}\nchannels:\n  c: {address: a.b}\noperations:\n"
        "  op:\n    action: publish\n    channel: {$ref: '#/channels/c'}\n",
    )
    findings = validate_document(load_document(spec))
    assert [(f.location.pointer, f.location.line) for f in findings] == [("/operations/op/action", 7)]


def test_asyncapi_2_6_document_validates(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "a.yaml",
        "asyncapi: 2.6.0\ninfo: {title: t, version: 1.0.0}\nchannels:\n  orders.order.submitted.v1:\n"
        "    subscribe:\n      operationId: publishOrderSubmitted\n      message:\n        payload: {type: object}\n",
    )
    assert validate_document(load_document(spec)) == []
    bad = _write(tmp_path, "b.yaml", "asyncapi: 2.6.0\ninfo: {title: t}\nchannels: {}\n")
    [finding] = validate_document(load_document(bad))
    assert finding.location.pointer == "/info" and "version" in finding.message
