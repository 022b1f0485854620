"""The source map: every node of the resolved graph points back to the file, line and column it is written at."""

from __future__ import annotations

from pathlib import Path

import orjson

from accord.loader import load_document
from accord.loader._json import json_index

SPEC = """openapi: 3.1.0
info: {title: t, version: 1.0.0}
paths:
  /v1/orders/{orderId}:
    get:
      operationId: getOrder
      parameters:
        - $ref: 'shared/params.yaml#/OrderId'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Order'
components:
  schemas:
    Order:
      type: object
      properties:
        total:
          $ref: 'shared/schemas.yaml#/Money'
        parent:
          $ref: '#/components/schemas/Order'
"""
PARAMS = """OrderId:
  name: orderId
  in: path
  required: true
  schema:
    type: string
"""
SCHEMAS = """# money
Money:
  type: object
  properties:
    amount: {type: string}
"""


def _write(tmp_path: Path) -> Path:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "params.yaml").write_text(PARAMS)
    (tmp_path / "shared" / "schemas.yaml").write_text(SCHEMAS)
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC)
    return spec


def test_nodes_from_other_files_keep_their_written_location(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path), root=tmp_path)
    op = doc.data["paths"]["/v1/orders/{orderId}"]["get"]
    param = op["parameters"][0]
    loc = doc.where(param)
    assert loc.file.endswith("shared/params.yaml")
    assert (loc.pointer, loc.line, loc.column) == ("/OrderId", 1, 1)
    name = doc.where(param, "schema", "type")
    assert (name.pointer, name.line) == ("/OrderId/schema/type", 6)
    money = op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["total"]
    assert doc.where(money, "properties", "amount").file.endswith("shared/schemas.yaml")
    assert doc.where(money, "properties", "amount").line == 5


def test_origin_maps_document_pointers_across_refs(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path), root=tmp_path)
    loc = doc.origin("/paths/~1v1~1orders~1{orderId}/get/parameters/0/in")
    assert loc.file.endswith("params.yaml") and (loc.pointer, loc.line) == ("/OrderId/in", 3)
    loc = doc.origin("/paths/~1v1~1orders~1{orderId}/get/operationId")
    assert loc.file.endswith("openapi.yaml") and loc.line == 6


def test_recursive_schema_is_a_cycle_not_an_expansion(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path), root=tmp_path)
    order = doc.data["components"]["schemas"]["Order"]
    assert order["properties"]["parent"] is order
    assert doc.where(order["properties"]["parent"]).pointer == "/components/schemas/Order"


def test_json_positions_cover_members_and_items() -> None:
    raw = b'{\n  "a": [\n    {"b": "x,y]"},\n    1,\n    {"c": {"~d/e": true}}\n  ]\n}'
    orjson.loads(raw)
    index = json_index(raw, "t.json")
    assert index.position("/a") == (2, 3)
    assert index.position("/a/0") == (3, 5)
    assert index.position("/a/0/b") == (3, 6)
    assert index.position("/a/2") == (5, 5)
    assert index.position("/a/2/c/~0d~1e") == (5, 12)


def test_key_search_index_agrees_with_the_scanner() -> None:
    from accord.loader._json import json_index_from_data

    raw = (
        b'{\n  "openapi": "3.1.0",\n  "x": {"enum": ["type", "name"], "type": "string"},\n'
        b'  "list": [1, "a{b", {"type": {"name": "type"}}, [{"k": 1}]],\n  "type": "object"\n}'
    )
    data = orjson.loads(raw)
    scanned = json_index(raw, "t.json")
    searched = json_index_from_data(raw, data)
    assert searched is not None
    for pointer in ("/openapi", "/x", "/x/type", "/list/2/type/name", "/list/3/0/k", "/type"):
        assert searched.position(pointer) == scanned.position(pointer), pointer
