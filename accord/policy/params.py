"""Raw parameter strings -> the JSON values their schema describes (OpenAPI 3.1 §4.8.12.4 styles)."""

from __future__ import annotations

import math
import re
from typing import Any

from accord.policy.model import Parameter

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,18})")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,30})(?:\.[0-9]{1,30})?(?:[eE][+-]?[0-9]{1,3})?")
_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|"}


def scalar(text: str, json_type: str | None) -> Any:
    """``text`` as ``json_type`` when it spells one; otherwise the text itself (the schema then says why)."""
    if json_type == "integer" and _INTEGER.fullmatch(text):
        return int(text)
    if json_type == "number" and _NUMBER.fullmatch(text):
        value = float(text)
        return value if math.isfinite(value) else text
    if json_type == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def coerce_parameter(param: Parameter, raw: list[str]) -> Any:
    """The value of ``param`` from every occurrence of it in the request (``raw`` is never empty)."""
    if param.type == "array":
        if param.explode and param.location in ("query", "cookie"):
            items = raw
        else:
            text = raw[-1]
            items = text.split(_DELIMITERS.get(param.style, ",")) if text else []
        return [scalar(item, param.item_type) for item in items]
    return scalar(raw[0], param.type)
