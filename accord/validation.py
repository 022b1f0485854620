"""Structural validation of contract documents.

OpenAPI: the OpenAPI Initiative's JSON Schemas for 3.0 and 3.1 as shipped by ``openapi-spec-validator``,
evaluated with ``jsonschema-rs`` (milliseconds on multi-megabyte documents). The entry document is
validated as written; every node another file contributes through ``$ref`` is validated against the
schema definition for the place it is referenced from (a parameter, a response, a schema...), so
shared fragments are checked in context and errors point into the fragment.

AsyncAPI: Accord's own structural schema for 2.6 and 3.0 (``accord/schemas/``) — no PyPI package ships
the official AsyncAPI JSON Schemas (see docs/architecture.md).
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from accord.loader import Document, RefSite, SourceFile
from accord.loader._pointer import JsonPointerException, join, resolve
from accord.model import Finding, Location, Severity
from accord.spec.contexts import ref_section

_OAS_DEFS = {
    "3.0": {"root": "", "defs": "definitions"},
    "3.1": {"root": "", "defs": "$defs"},
}
# Definitions of each OpenAPI schema for the components section a $ref stands for.
_SECTION_DEFS = {
    "3.0": {
        "parameters": "Parameter",
        "responses": "Response",
        "headers": "Header",
        "schemas": "Schema",
        "examples": "Example",
        "requestBodies": "RequestBody",
        "links": "Link",
        "securitySchemes": "SecurityScheme",
    },
    "3.1": {
        "parameters": "parameter",
        "responses": "response",
        "headers": "header",
        "schemas": "schema",
        "examples": "example",
        "requestBodies": "request-body",
        "pathItems": "path-item",
        "links": "link",
        "securitySchemes": "security-scheme",
    },
}


@functools.cache
def _oas_schema(version: str) -> dict[str, Any]:
    # Locate the file without importing openapi_spec_validator (its import costs ~0.3 s).
    spec = importlib.util.find_spec("openapi_spec_validator")
    if spec is None or spec.origin is None:
        raise RuntimeError("openapi-spec-validator is not installed")
    folder = "v3.1" if version == "3.1" else "v3.0"
    path = Path(spec.origin).parent / "resources" / "schemas" / folder / "schema.json"
    schema: dict[str, Any] = orjson.loads(path.read_bytes())
    return schema


@functools.cache
def _validator(version: str, definition: str | None = None) -> Any:
    schema = _oas_schema(version)
    if definition is not None:
        defs_key = _OAS_DEFS[version]["defs"]
        schema = {**schema, "$ref": f"#/{defs_key}/{definition}"}
        for key in (
            "properties",
            "required",
            "patternProperties",
            "additionalProperties",
            "unevaluatedProperties",
            "type",
            "anyOf",
            "oneOf",
            "allOf",
        ):
            schema.pop(key, None)
    return jsonschema_rs.validator_for(schema)


@functools.cache
def _asyncapi_validator(major: str) -> Any:
    name = "asyncapi-2.json" if major == "2" else "asyncapi-3.json"
    text = resources.files("accord.schemas").joinpath(name).read_text("utf-8")
    return jsonschema_rs.validator_for(json.loads(text))


def _finding(file: SourceFile, pointer: str, message: str, rule: str = "structure") -> Finding:
    return Finding(rule, Severity.ERROR, file.location(pointer), message)


def _errors(validator: Any, data: Any, file: SourceFile, base: str) -> Iterator[Finding]:
    best: dict[str, str] = {}
    for error in validator.iter_errors(data):
        pointer = join(base, tuple(str(p) for p in error.instance_path))
        message = _shorten(str(error.message))
        # Keep the most specific message per location: oneOf/anyOf summaries repeat their branches.
        if pointer not in best or "is not valid under any of the schemas" in best[pointer]:
            best[pointer] = message
    for pointer, message in best.items():
        yield _finding(file, pointer, message)


def _shorten(message: str) -> str:
    """Messages start with the offending instance; a whole object there drowns the point."""
    if message[:1] in "{[":
        depth = 0
        in_string = False
        escaped = False
        for index, char in enumerate(message):
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    if index > 60:
                        message = "this value" + message[index + 1 :]
                    break
    return message if len(message) <= 300 else message[:297] + "..."


def ref_findings(doc: Document) -> Iterator[Finding]:
    for problem in doc.ref_problems:
        yield _finding(problem.file, problem.pointer, problem.message, rule="unresolved-ref")


def _external_targets(doc: Document) -> Iterator[tuple[RefSite, str]]:
    seen: set[tuple[int, str]] = set()
    for site in doc.ref_sites:
        if site.target_file is None or site.target_file is doc.source or site.target_pointer is None:
            continue
        context = ref_section("openapi", site.pointer)
        if context is None:
            continue
        key = (id(site.target_file), site.target_pointer)
        if key not in seen:
            seen.add(key)
            yield site, context


def validate_document(doc: Document) -> list[Finding]:
    """Structural errors of ``doc`` and of what it references, plus unresolved ``$ref``s."""
    findings = list(ref_findings(doc))
    if doc.kind == "openapi":
        version = "3.1" if doc.major_minor == "3.1" else "3.0"
        findings.extend(_errors(_validator(version), doc.source.data, doc.source, ""))
        for site, context in _external_targets(doc):
            assert site.target_file is not None and site.target_pointer is not None
            definition = _SECTION_DEFS[version].get(context)
            if definition is None:
                continue
            node = _node_at(site.target_file.data, site.target_pointer)
            if node is not None:
                findings.extend(
                    _errors(_validator(version, definition), node, site.target_file, site.target_pointer)
                )
    else:
        major = doc.version.split(".")[0]
        findings.extend(_errors(_asyncapi_validator(major), doc.source.data, doc.source, ""))
    unique = {(f.location.file, f.location.pointer, f.message): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)


def _node_at(data: Any, pointer: str) -> Any:
    try:
        return resolve(data, pointer)
    except JsonPointerException:
        return None


def error_finding(exc: Exception, file: str) -> Finding:
    location = getattr(exc, "location", None) or Location(file)
    return Finding("unreadable", Severity.ERROR, location, getattr(exc, "message", str(exc)))


__all__ = ["error_finding", "ref_findings", "validate_document"]
