"""Fake data: valid against its schema, realistic formats, GS1 check digits, regex hard cases."""

from __future__ import annotations

import random
import re

import jsonschema_rs
import pytest

from accord.contracts import ContractSet
from accord.mock._regex import RegexError, example_for
from accord.mock.fake import Faker, gs1_check_digit, is_valid_gs1
from accord.spec.schema_export import to_json_schema


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("00012345678905", True),
        ("0614141000005", True),
        ("106141411234567897", True),
        ("00012345678906", False),
        ("1234567890", False),
        ("0001234567890X", False),
    ],
)
def test_gs1_check_digits(number: str, valid: bool) -> None:
    assert is_valid_gs1(number) is valid


def test_gs1_check_digit_of_a_known_gtin() -> None:
    assert gs1_check_digit("0001234567890") == "5"


@pytest.mark.parametrize("length", [13, 14, 18])
def test_fake_gs1_keys_have_valid_check_digits(length: int) -> None:
    faker = Faker(3)
    for _ in range(20):
        value = faker.value({"type": "string", "pattern": rf"^\d{{{length}}}$"})
        assert len(value) == length and is_valid_gs1(value)


def test_realistic_formats() -> None:
    faker = Faker()
    assert faker.value({"type": "string", "pattern": "^[A-Z]{3}$"}, "currency") == "USD"
    assert re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", faker.value({"type": "string", "format": "date-time"})
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", faker.value({"type": "string", "format": "date"}))
    assert "@" in faker.value({"type": "string", "format": "email"})
    assert re.fullmatch(r"[0-9a-f-]{36}", faker.value({"type": "string", "format": "uuid"}))
    assert re.fullmatch(
        r"-?\d{1,15}(\.\d{1,6})?", faker.value({"type": "string", "pattern": r"^-?\d{1,15}(\.\d{1,6})?$"})
    )


def test_same_seed_same_values() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^X-[0-9]{4}$"}}}
    assert Faker(7).value(schema) == Faker(7).value(schema)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^ITM-\d{6,10}$",
        r"^[A-Z0-9][A-Z0-9-]{2,39}$",
        r'^(W/)?"[\x21\x23-\x7E]*"$',
        r"^(red|green|blue)$",
        r"^[^@\s]+@[^@\s]+$",
        r"^[a-z][a-z0-9_]*$",
        r"^(0|[1-9]\d{0,5})(\.\d{1,6})?$",
        r"^\p{L}+$" if False else r"^\w+$",
    ],
)
def test_regex_examples_match(pattern: str) -> None:
    value = example_for(pattern, random.Random(0), 40)
    assert re.search(pattern, value) and len(value) <= 40


def test_regex_that_cannot_fit_is_an_error() -> None:
    with pytest.raises(RegexError):
        example_for(r"^\d{10}$", random.Random(0), 5)


def test_fake_values_validate_against_every_schema_of_the_corpus(corpus: ContractSet) -> None:
    faker = Faker(11)
    checked = 0
    for doc in corpus.documents:
        schemas = doc.data.get("components", {}).get("schemas", {})
        for name, schema in schemas.items():
            validator = jsonschema_rs.Draft202012Validator(to_json_schema(schema), validate_formats=True)
            value = faker.value(schema)
            errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(value)]
            assert errors == [], f"{doc.display} {name}: {errors[:3]}"
            checked += 1
    assert checked > 100
