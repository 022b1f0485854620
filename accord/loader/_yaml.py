"""YAML parsing on libyaml's C parser with JSON-compatible, YAML 1.2-like scalars.

Why not the stock SafeLoader: YAML 1.1 turns ``on``/``yes`` into booleans and unquoted dates into
``datetime`` objects, neither of which survives JSON Schema validation of an OpenAPI document;
and it silently keeps the last of two duplicate keys, which hides authoring mistakes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from accord.errors import ParseError
from accord.model import Location

if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# Leading zeros make a string, not a number: `0614141000012` is a GLN, and YAML 1.1 writers
# (PyYAML) emit such values unquoted because 1.1 does not read them as integers either.
_INT = re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+]?[0-9]+)?|(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+"
    r"|\.[0-9]+(?:[eE][-+]?[0-9]+)?)|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.2 core schema resolution (no yes/no/on/off booleans, no implicit timestamps)."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", _BOOL, list("tTfF")),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789.")),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
):
    _Resolver.add_implicit_resolver(_tag, _regexp, _first)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    text = str(node.value).replace("_", "")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


class ContractLoader(_BaseLoader, _Resolver):
    """C-accelerated safe loader that refuses duplicate keys and keeps dates as strings."""

    accord_file = "<string>"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen and key != "<<":
                    mark = key_node.start_mark
                    first = seen[key].start_mark
                    raise ParseError(
                        f"duplicate key {key!r} (first defined on line {first.line + 1})",
                        Location(self.accord_file, "", mark.line + 1, mark.column + 1),
                    )
                seen[key] = key_node
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if all(type(key) is str for key in mapping):
            return mapping
        # Unquoted response codes (`200:`) are integers in YAML; OpenAPI means the string.
        fixed: dict[str, Any] = {}
        for key, value in mapping.items():
            if isinstance(key, bool):
                key = "true" if key else "false"
            elif isinstance(key, (int, float)):
                key = str(key)
            elif key is None:
                key = "null"
            elif not isinstance(key, str):
                mark = node.start_mark
                raise ParseError(
                    "mapping keys must be scalars",
                    Location(self.accord_file, "", mark.line + 1, mark.column + 1),
                )
            fixed[key] = value
        mapping = fixed
        return mapping


ContractLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
ContractLoader.add_constructor("tag:yaml.org,2002:timestamp", ContractLoader.construct_yaml_str)  # type: ignore[type-var]


def parse_yaml(text: str, file: str) -> Any:
    """Parse one YAML document; syntax errors become located :class:`ParseError`."""
    loader = ContractLoader(text)
    loader.accord_file = file
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return loader.construct_document(node)
    except ParseError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(file, "", mark.line + 1, mark.column + 1) if mark else Location(file)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ParseError(f"invalid YAML: {problem}", loc) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}", Location(file)) from None
    except RecursionError:
        raise ParseError("YAML nesting is too deep", Location(file)) from None
    finally:
        loader.dispose()


def yaml_positions(text: str, file: str) -> dict[str, tuple[int, int]]:
    """Map every JSON pointer of the document to the 1-based (line, column) where it is written.

    Mapping members point at their key, sequence items at the item. Built on demand only.
    """
    loader = ContractLoader(text)
    loader.name = file
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return {}
    finally:
        loader.dispose()
    positions: dict[str, tuple[int, int]] = {}
    if root is None:
        return positions
    positions[""] = (root.start_mark.line + 1, root.start_mark.column + 1)
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, pointer = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = str(key_node.value).replace("~", "~0").replace("/", "~1")
                child = f"{pointer}/{key}"
                positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = f"{pointer}/{index}"
                positions[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
                stack.append((item, child))
    return positions
