"""Compiled JSON Schema checks that report every violation with the JSON pointer it is about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from accord.loader._pointer import escape

#: Instance values are never echoed back into error details (they may be huge or hostile).
_MASK = "value"
#: Details are cut to this many characters (a pattern or an enum can be long).
MAX_DETAIL = 300


@dataclass(frozen=True, slots=True)
class Violation:
    """One way an instance fails its schema: RFC 6901 pointer into the instance and a message."""

    pointer: str
    detail: str
    code: str

    def to_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "detail": self.detail, "code": self.code}


# jsonschema-rs error kinds -> the stable codes used in problem details (contract examples use these).
_CODES = {
    "Required": "required",
    "AdditionalProperties": "unexpected_property",
    "UnevaluatedProperties": "unexpected_property",
    "Type": "type_mismatch",
    "Pattern": "pattern_mismatch",
    "Format": "format_mismatch",
    "Enum": "not_in_enum",
    "Constant": "not_const",
    "Minimum": "value_out_of_range",
    "Maximum": "value_out_of_range",
    "ExclusiveMinimum": "value_out_of_range",
    "ExclusiveMaximum": "value_out_of_range",
    "MultipleOf": "value_out_of_range",
    "MinLength": "length_out_of_range",
    "MaxLength": "length_out_of_range",
    "MinItems": "size_out_of_range",
    "MaxItems": "size_out_of_range",
    "MinProperties": "size_out_of_range",
    "MaxProperties": "size_out_of_range",
    "UniqueItems": "duplicate_items",
}


def _pointer(base: str, path: Any) -> str:
    return base + "".join("/" + (escape(p) if isinstance(p, str) else str(p)) for p in path)


def _short(text: str) -> str:
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


class SchemaCheck:
    """A JSON Schema (Draft 2020-12, formats asserted) compiled once; cheap to run per request."""

    __slots__ = ("_validator", "schema")

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True, mask=_MASK)

    def is_valid(self, instance: Any) -> bool:
        result: bool = self._validator.is_valid(instance)
        return result

    def violations(self, instance: Any, base: str = "") -> list[Violation]:
        """Every violation, each with the pointer of the offending member (``base`` prefixed)."""
        found: list[Violation] = []
        for error in self._validator.iter_errors(instance):
            kind = error.kind
            name = type(kind).__name__
            code = _CODES.get(name, "schema_violation")
            where = _pointer(base, error.instance_path)
            if name == "Required":
                prop = getattr(kind, "property", "")
                found.append(Violation(_pointer(where, [prop]), "is required", code))
            elif name in ("AdditionalProperties", "UnevaluatedProperties"):
                for prop in getattr(kind, "unexpected", None) or ():
                    found.append(Violation(_pointer(where, [prop]), "is not allowed here", code))
                if not getattr(kind, "unexpected", None):
                    found.append(Violation(where, _short(error.message), code))
            else:
                found.append(Violation(where, _short(error.message), code))
        return found
