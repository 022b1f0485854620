"""Naming: identifiers for classes, functions, parameters and constants."""

from __future__ import annotations

import pytest

from accord.codegen._names import constant, module_name, param_name, pascal, snake


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("createItem", "CreateItem"),
        ("sales-order", "SalesOrder"),
        ("SalesOrder", "SalesOrder"),
        ("listItems response 200", "ListItemsResponse200"),
        ("ETagValue", "ETagValue"),
        ("9lives", "M9Lives"),
        ("", "Model"),
    ],
)
def test_pascal(text: str, expected: str) -> None:
    assert pascal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("listItems", "list_items"),
        ("Idempotency-Key", "idempotency_key"),
        ("If-Match", "if_match"),
        ("HTTPServer", "http_server"),
        ("from", "from_"),
        ("class", "class_"),
        ("2fa", "n_2_fa"),
        ("type", "type"),
        ("itemV2", "item_v2"),
    ],
)
def test_snake(text: str, expected: str) -> None:
    assert snake(text) == expected


def test_param_names_are_unique_and_avoid_reserved_words() -> None:
    taken: set[str] = set()
    assert param_name("itemId", taken) == "item_id"
    assert param_name("item_id", taken) == "item_id_2"
    assert param_name("self", taken) == "self_"
    assert taken == {"item_id", "item_id_2", "self_"}


def test_constants_and_module_names() -> None:
    assert constant("itemCreated") == "ITEM_CREATED"
    assert constant("items.item.created.v1") == "ITEMS_ITEM_CREATED_V1"
    assert module_name("credit-notes") == "credit_notes"
    assert module_name("class") == "d_class"
