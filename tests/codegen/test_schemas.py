"""The schema registry: named places keep their names, refs become imports, envelopes flatten."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.codegen._schemas import SchemaRegistry
from accord.errors import RefError, UsageError
from accord.loader import parse_source

PREFIX = "#/components/schemas/"


def _files(tmp_path: Path, files: dict[str, str]) -> dict[Path, object]:
    loaded = {}
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        loaded[path.resolve()] = parse_source(path, text.encode(), rel)
    return loaded


def _registry(tmp_path: Path, files: dict[str, str]) -> tuple[SchemaRegistry, dict[Path, object]]:
    loaded = _files(tmp_path, files)

    def package_of(path: Path) -> str:
        if path.resolve().parent.name == "common":
            return "common"
        if path.resolve().parent.name == "shop":
            return "shop"
        raise UsageError("no package", None)

    return SchemaRegistry(loaded, package_of), loaded  # type: ignore[arg-type]


COMMON = """
Money:
  type: object
  required: [amount]
  properties:
    amount: {type: string}
Envelope:
  type: object
  required: [id]
  properties:
    id: {type: string}
    type: {type: string}
    data: {type: object}
"""

SHOP = """
openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Order:
      type: object
      properties:
        total:
          $ref: '../common/schemas.yaml#/Money'
          description: Order total.
        lines:
          type: array
          items: {$ref: '#/components/schemas/Order/properties/total'}
    OrderEvent:
      allOf:
        - $ref: '../common/schemas.yaml#/Envelope'
        - type: object
          required: [data]
          properties:
            type: {const: order.created}
            data: {$ref: '#/components/schemas/Order'}
    Inline:
      type: object
      properties:
        data:
          type: object
          properties:
            x: {type: integer}
"""


def test_refs_to_shared_types_keep_their_package_and_name(tmp_path: Path) -> None:
    registry, files = _registry(tmp_path, {"common/schemas.yaml": COMMON, "shop/openapi.yaml": SHOP})
    shop = files[(tmp_path / "shop/openapi.yaml").resolve()]
    order = registry.ref_for(shop, "/components/schemas/Order", "Order")  # type: ignore[arg-type]
    assert (order.module, order.name) == ("shop", "Order")
    schema = registry.model(order).schema
    assert schema["properties"]["total"] == {
        "$ref": PREFIX + "common.models.Money",
        "description": "Order total.",
    }
    # a ref into the middle of another schema follows to what it names: Money again
    assert schema["properties"]["lines"]["items"] == {"$ref": PREFIX + "common.models.Money"}
    names = {(m.ref.module, m.ref.name) for models in registry.models().values() for m in models}
    assert names == {("shop", "Order"), ("common", "Money")}


def test_conflicting_all_of_is_flattened_and_later_members_win(tmp_path: Path) -> None:
    registry, files = _registry(tmp_path, {"common/schemas.yaml": COMMON, "shop/openapi.yaml": SHOP})
    shop = files[(tmp_path / "shop/openapi.yaml").resolve()]
    event = registry.ref_for(shop, "/components/schemas/OrderEvent", "OrderEvent")  # type: ignore[arg-type]
    schema = registry.model(event).schema
    assert "allOf" not in schema
    assert schema["required"] == ["id", "data"]
    assert schema["properties"]["type"] == {"const": "order.created"}
    assert schema["properties"]["data"] == {"$ref": PREFIX + "shop.models.Order"}
    assert schema["properties"]["id"] == {"type": "string"}


def test_inline_event_data_becomes_a_named_model(tmp_path: Path) -> None:
    registry, files = _registry(tmp_path, {"common/schemas.yaml": COMMON, "shop/openapi.yaml": SHOP})
    shop = files[(tmp_path / "shop/openapi.yaml").resolve()]
    ref = registry.ref_for(shop, "/components/schemas/Inline", "Inline")  # type: ignore[arg-type]
    assert registry.model(ref).schema["properties"]["data"] == {"$ref": PREFIX + "shop.models.InlineData"}


def test_name_collisions_get_a_suffix(tmp_path: Path) -> None:
    registry, files = _registry(tmp_path, {"common/schemas.yaml": COMMON, "shop/openapi.yaml": SHOP})
    shop = files[(tmp_path / "shop/openapi.yaml").resolve()]
    first = registry.ref_for(shop, "/components/schemas/Order", "Order")  # type: ignore[arg-type]
    inline = registry.ref_for(shop, "/components/schemas/Order/properties/lines", "Order")  # type: ignore[arg-type]
    assert (first.name, inline.name) == ("Order", "Order2")


def test_dangling_ref_raises_with_the_location_of_the_ref(tmp_path: Path) -> None:
    broken = SHOP.replace("'#/components/schemas/Order'", "'#/components/schemas/Missing'")
    registry, files = _registry(tmp_path, {"common/schemas.yaml": COMMON, "shop/openapi.yaml": broken})
    shop = files[(tmp_path / "shop/openapi.yaml").resolve()]
    registry.ref_for(shop, "/components/schemas/OrderEvent", "OrderEvent")  # type: ignore[arg-type]
    with pytest.raises(RefError) as caught:
        registry.models()
    assert caught.value.location is not None
    assert caught.value.location.file == "shop/openapi.yaml"
    assert caught.value.location.pointer == "/components/schemas/OrderEvent/allOf/1/properties/data"
    assert "dangling $ref" in caught.value.message
