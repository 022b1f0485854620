"""Schema-driven fake data: a value valid against a (resolved) JSON Schema, realistic where it can be.

Used by the mock server when an operation has no example. Values are deterministic for a given
seed. Realistic formats: GTIN-14, GLN-13 and SSCC-18 with a valid GS1 mod-10 check digit, ISO 4217
currencies, ISO 3166 countries, UN/ECE Rec 20 units, decimal strings, RFC 3339 dates and times,
e-mail addresses, UUIDs, URIs. Anything else that has a ``pattern`` gets a string matching it.
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

from accord.mock._regex import RegexError, example_for
from accord.spec.schema import schema_types

#: Recursion limit: deeper optional members are left out, deeper required ones get minimal values.
MAX_DEPTH = 8


def gs1_check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit of ``digits`` (all but the last digit of a GTIN, GLN or SSCC).

    Weights 3 and 1 alternate from the rightmost digit (GS1 General Specifications §7.9.1).
    """
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def gs1_number(length: int, rng: random.Random, prefix: str = "0614141") -> str:
    """A GS1 key of ``length`` digits (GTIN-14, GLN-13, SSCC-18) with a valid check digit."""
    body = (prefix + "".join(rng.choice("0123456789") for _ in range(length)))[: length - 1]
    if length == 14:
        body = "0" + body[1:]  # indicator digit 0: the base unit
    return body + gs1_check_digit(body)


def is_valid_gs1(number: str) -> bool:
    """Whether ``number`` is all digits and ends with its GS1 check digit."""
    return number.isdigit() and len(number) > 1 and gs1_check_digit(number[:-1]) == number[-1]


_DECIMAL = re.compile(r"\\d\{1,\d+\}\(\\\.\\d")
_CURRENCIES = ("USD", "EUR", "GBP", "CAD")
_COUNTRIES = ("US", "DE", "FR", "CA")
_UNITS = ("EA", "CS", "KGM", "PL", "BX")


class Faker:
    """Generates values for schemas. ``seed`` makes the sequence reproducible."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)

    def value(self, schema: Any, name: str = "", depth: int = 0) -> Any:
        """A value valid against ``schema`` (``name`` is the property it is for: a realism hint)."""
        if not isinstance(schema, dict):
            return None
        if "const" in schema:
            return schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return next((v for v in enum if v is not None), enum[0])
        for key in ("examples",):
            examples = schema.get(key)
            if isinstance(examples, list) and examples:
                return examples[0]
        if "example" in schema:
            return schema["example"]
        if isinstance(schema.get("allOf"), list):
            return self.value(merge_all_of(schema), name, depth)
        for key in ("oneOf", "anyOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                chosen = next(
                    (o for o in options if "null" not in schema_types(o) or len(schema_types(o)) > 1),
                    options[0],
                )
                merged = {k: v for k, v in schema.items() if k != key}
                return self.value({**merged, **chosen} if isinstance(chosen, dict) else merged, name, depth)
        types = schema_types(schema) - {"null"}
        kind = _pick_type(types, schema)
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "string":
            return self._string(schema, name)
        if kind == "integer":
            return int(self._number(schema, integer=True))
        if kind == "number":
            return self._number(schema, integer=False)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return "value"

    # -- containers -------------------------------------------------------------------------------
    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = _dict(schema, "properties")
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        out: dict[str, Any] = {}
        for prop, sub in properties.items():
            if prop not in required and (
                depth >= MAX_DEPTH or (isinstance(sub, dict) and sub.get("writeOnly"))
            ):
                continue
            if prop not in required and depth >= 3 and _is_container(sub):
                continue  # keep fake documents small: nested optional structures only near the top
            out[prop] = self.value(sub, prop, depth + 1)
        for prop in required:
            if prop not in out:
                out[prop] = self.value(properties.get(prop, {}), prop, depth + 1)
        minimum = schema.get("minProperties")
        if isinstance(minimum, int) and len(out) < minimum:
            extra = schema.get("additionalProperties")
            for index in range(minimum - len(out)):
                out[f"extra{index + 1}"] = (
                    self.value(extra, "", depth + 1) if isinstance(extra, dict) else "value"
                )
        return out

    def _array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        items = _dict(schema, "items")
        low = _int(schema, "minItems") or 0
        high = _int(schema, "maxItems")
        count = max(low, 1 if depth < MAX_DEPTH else 0)
        if high is not None:
            count = min(count, high)
        values: list[Any] = []
        for index in range(count):
            value = self.value(items, name, depth + 1)
            if schema.get("uniqueItems") and value in values:
                value = _vary(value, index)
            values.append(value)
        return values

    # -- scalars ----------------------------------------------------------------------------------
    def _number(self, schema: dict[str, Any], *, integer: bool) -> float:
        low = schema.get("minimum")
        high = schema.get("maximum")
        ex_low = schema.get("exclusiveMinimum")
        ex_high = schema.get("exclusiveMaximum")
        step = schema.get("multipleOf") if isinstance(schema.get("multipleOf"), (int, float)) else None
        lower = float(low) if isinstance(low, (int, float)) and not isinstance(low, bool) else None
        if isinstance(ex_low, (int, float)) and not isinstance(ex_low, bool):
            lower = float(ex_low) + (1 if integer else 0.5) if lower is None or ex_low >= lower else lower
        upper = float(high) if isinstance(high, (int, float)) and not isinstance(high, bool) else None
        if isinstance(ex_high, (int, float)) and not isinstance(ex_high, bool):
            upper = float(ex_high) - (1 if integer else 0.5) if upper is None or ex_high <= upper else upper
        value = 1.0 if lower is None else lower
        if lower is None and upper is not None and value > upper:
            value = upper
        if step:
            value = (value // step + (1 if value % step else 0)) * step
        if integer:
            value = float(int(value) if value == int(value) else int(value) + 1)
        return value

    def _string(self, schema: dict[str, Any], name: str) -> str:
        lowered = name.lower()
        fmt = schema.get("format")
        pattern = schema.get("pattern") if isinstance(schema.get("pattern"), str) else None
        max_length = _int(schema, "maxLength")
        min_length = _int(schema, "minLength") or 0
        text = self._formatted(fmt) if isinstance(fmt, str) else None
        if text is None and pattern is not None:
            text = self._patterned(pattern, lowered, max_length)
        if text is None:
            text = self._named(lowered)
        if pattern is None and fmt is None:
            if len(text) < min_length:
                text = text + "x" * (min_length - len(text))
            if max_length is not None:
                text = text[:max_length]
        return text

    def _formatted(self, fmt: str) -> str | None:
        if fmt == "date-time":
            return f"2025-03-{self.rng.randint(10, 28):02d}T{self.rng.randint(6, 18):02d}:30:00Z"
        if fmt == "date":
            return f"2025-03-{self.rng.randint(10, 28):02d}"
        if fmt == "time":
            return "09:30:00Z"
        if fmt in ("email", "idn-email"):
            return f"buyer{self.rng.randint(1, 999)}@example.com"
        if fmt == "uuid":
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        if fmt in ("uri", "iri", "url"):
            return f"https://example.com/resources/{self.rng.randint(1, 9999)}"
        if fmt in ("uri-reference", "iri-reference"):
            return f"/v1/resources/{self.rng.randint(1, 9999)}"
        if fmt in ("hostname", "idn-hostname"):
            return "api.example.com"
        if fmt == "ipv4":
            return "192.0.2.10"
        if fmt == "ipv6":
            return "2001:db8::10"
        if fmt == "duration":
            return "PT1H"
        return None

    def _patterned(self, pattern: str, name: str, max_length: int | None) -> str | None:
        digits = re.fullmatch(r"\^\\d\{(\d+)\}\$", pattern)
        if digits and int(digits.group(1)) in (13, 14, 18):
            return gs1_number(int(digits.group(1)), self.rng)
        candidates: list[str] = []
        if pattern == "^[A-Z]{3}$":
            candidates = list(_CURRENCIES)
        elif pattern == "^[A-Z]{2}$":
            candidates = list(_COUNTRIES)
        elif "uom" in name or pattern in ("^[A-Z0-9]{2,3}$",):
            candidates = list(_UNITS)
        elif _DECIMAL.search(pattern):
            candidates = [
                f"{self.rng.randint(1, 250)}.{self.rng.randint(0, 99):02d}",
                str(self.rng.randint(1, 99)),
            ]
        for candidate in candidates:
            if re.search(pattern, candidate) and (max_length is None or len(candidate) <= max_length):
                return candidate
        try:
            return example_for(pattern, self.rng, max_length)
        except RegexError:
            return None

    def _named(self, name: str) -> str:
        if "email" in name:
            return f"buyer{self.rng.randint(1, 999)}@example.com"
        if "currency" in name:
            return "USD"
        if "country" in name:
            return "US"
        if name.endswith("name"):
            return "Acme Industrial Supply"
        if "description" in name or "note" in name:
            return "Sample text from the mock server."
        return f"{name or 'value'}-{self.rng.randint(1, 9999)}"


def _dict(schema: dict[str, Any], key: str) -> dict[str, Any]:
    value = schema.get(key)
    return value if isinstance(value, dict) else {}


def _int(schema: dict[str, Any], key: str) -> int | None:
    value = schema.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pick_type(types: set[str], schema: dict[str, Any]) -> str | None:
    for kind in ("object", "array", "string", "integer", "number", "boolean"):
        if kind in types:
            return kind
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if types == set() and ("pattern" in schema or "format" in schema or "maxLength" in schema):
        return "string"
    if "null" in schema_types(schema):
        return "null"
    return None


def _is_container(schema: Any) -> bool:
    return isinstance(schema, dict) and bool(
        schema_types(schema) & {"object", "array"} or "properties" in schema
    )


def _vary(value: Any, index: int) -> Any:
    if isinstance(value, str):
        return f"{value}{index}" if not value.isdigit() else str(int(value) + index)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value + index
    return value


def merge_all_of(schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """``allOf`` folded into one schema (properties and required merged; later keywords win)."""
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    members = schema.get("allOf")
    if not isinstance(members, list) or depth > 16:
        return merged
    result: dict[str, Any] = {}
    for member in [*members, merged]:
        if not isinstance(member, dict):
            continue
        part = merge_all_of(member, depth + 1) if "allOf" in member else member
        for key, value in part.items():
            if key in ("examples", "example") and part is not merged:
                continue  # a member's examples are examples of the member, not of the whole
            if key == "properties" and isinstance(value, dict):
                props = dict(result.get("properties", {}))
                props.update(value)
                result["properties"] = props
            elif key == "required" and isinstance(value, list):
                result["required"] = list(dict.fromkeys([*result.get("required", []), *value]))
            else:
                result[key] = value
    return result
