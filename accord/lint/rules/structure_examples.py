"""Structure: every example validates against the schema it illustrates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import jsonschema_rs

from accord.lint.functions import schema_usage
from accord.lint.registry import BOTH, RuleContext, Violation, rule
from accord.loader import Document
from accord.loader._pointer import escape
from accord.model import Severity
from accord.spec import iter_messages, iter_operations
from accord.spec.openapi import responses
from accord.spec.schema_export import Direction, export_bundle

FAMILY = "structure"
#: Errors quoted per failing example (more are announced, not listed).
SHOWN_ERRORS = 3
_MAX_TEXT = 160
#: AsyncAPI ``schemaFormat`` values whose payload is JSON Schema (AsyncAPI 3.0 §Multi Format Schema).
_JSON_FORMATS = ("application/vnd.aai.asyncapi", "application/schema+json", "application/vnd.oai.openapi")


@dataclass(frozen=True, slots=True)
class _Sample:
    value: Any
    schema: dict[str, Any]
    holder: Any  # the node holding the example, and its key or index there: the location is only
    key: str | int  # looked up for failing examples (the first lookup indexes the whole file)
    label: str  # "example `customerOrders`"
    context: str  # "GET /v1/orders 200 application/json", what the schema belongs to
    direction: Direction | None
    nullable: bool


_BUNDLE_URI = "urn:accord:examples"


class _Validators:
    """Validators for every schema of a set of samples, from one export per dialect variant.

    Exporting the schemas one by one would walk shared subschemas once per example; one bundle
    per (direction, nullable) variant walks each distinct schema once, and every validator is
    compiled from the bundle through a registry.
    """

    def __init__(self, samples: list[_Sample]) -> None:
        self.pointers: dict[tuple[int, str | None, bool], str] = {}
        self.registries: dict[tuple[Direction | None, bool], jsonschema_rs.Registry | None] = {}
        self.compiled: dict[tuple[int, str | None, bool], jsonschema_rs.Validator | None] = {}
        variants: dict[tuple[Direction | None, bool], dict[int, dict[str, Any]]] = {}
        for sample in samples:
            variants.setdefault((sample.direction, sample.nullable), {})[id(sample.schema)] = sample.schema
        for (direction, nullable), schemas in variants.items():
            roots = list(schemas.values())
            bundle, pointers = export_bundle(roots, openapi30=nullable, direction=direction)
            for root, pointer in zip(roots, pointers, strict=True):
                self.pointers[(id(root), direction, nullable)] = pointer
            try:
                registry = jsonschema_rs.Registry([(_BUNDLE_URI, bundle)], draft=jsonschema_rs.Draft202012)
            except Exception:  # data jsonschema-rs cannot take: judge nothing of it
                registry = None
            self.registries[(direction, nullable)] = registry

    def get(self, sample: _Sample) -> jsonschema_rs.Validator | None:
        key = (id(sample.schema), sample.direction, sample.nullable)
        if key in self.compiled:
            return self.compiled[key]
        registry = self.registries.get((sample.direction, sample.nullable))
        validator = None
        if registry is not None:
            root = {"$ref": f"{_BUNDLE_URI}{self.pointers[key]}"}
            try:
                validator = jsonschema_rs.Draft202012Validator(root, registry=registry, validate_formats=True)
            except Exception:  # an invalid schema (bad regex ...) cannot judge examples
                validator = None
        self.compiled[key] = validator
        return validator


def _media_samples(content: Any, context: str, direction: Direction, nullable: bool) -> Iterator[_Sample]:
    if not isinstance(content, dict):
        return
    for media_type, media in content.items():
        if isinstance(media, dict):
            yield from _holder_samples(media, f"{context} {media_type}", direction, nullable)


def _holder_samples(
    holder: dict[str, Any], context: str, direction: Direction, nullable: bool
) -> Iterator[_Sample]:
    """Examples of a Media Type, Parameter or Header Object (`example`, `examples.*.value`)."""
    schema = holder.get("schema")
    if not isinstance(schema, dict):
        content = holder.get("content")  # a parameter or header described by `content`
        if isinstance(content, dict):
            yield from _media_samples(content, context, direction, nullable)
        return
    if "example" in holder:
        yield _Sample(holder["example"], schema, holder, "example", "example", context, direction, nullable)
    examples = holder.get("examples")
    if isinstance(examples, dict):
        for name, example in examples.items():
            if isinstance(example, dict) and "value" in example:
                yield _Sample(
                    example["value"],
                    schema,
                    example,
                    "value",
                    f"example `{name}`",
                    context,
                    direction,
                    nullable,
                )


def _openapi_samples(doc: Document) -> Iterator[_Sample]:
    nullable = doc.major_minor == "3.0"
    seen: set[int] = set()

    def once(node: Any) -> bool:
        if not isinstance(node, dict) or id(node) in seen:
            return False
        seen.add(id(node))
        return True

    for op in iter_operations(doc):
        for param in op.parameters:
            if once(param):
                where = f"{op.key} parameter `{param.get('name')}`"
                yield from _holder_samples(param, where, "request", nullable)
        body = op.node.get("requestBody")
        if isinstance(body, dict) and once(body):
            yield from _media_samples(body.get("content"), f"{op.key} request", "request", nullable)
        for status, response in responses(op.node).items():
            if not once(response):
                continue
            context = f"{op.key} {status}"
            yield from _media_samples(response.get("content"), context, "response", nullable)
            headers = response.get("headers")
            if isinstance(headers, dict):
                for name, header in headers.items():
                    if once(header):
                        yield from _holder_samples(header, f"{context} header {name}", "response", nullable)


def _payload_schema(payload: Any) -> tuple[dict[str, Any] | None, bool]:
    """The JSON Schema of an AsyncAPI payload (a schema or a Multi Format Schema Object) and its nullable-ness."""
    if not isinstance(payload, dict):
        return None, False
    schema_format = payload.get("schemaFormat")
    if isinstance(schema_format, str) and isinstance(payload.get("schema"), dict):
        if not schema_format.startswith(_JSON_FORMATS):
            return None, False  # Avro, RAML, Protobuf ...: not judged here
        return payload["schema"], "openapi;version=3.0" in schema_format
    return payload, False


def _asyncapi_samples(doc: Document) -> Iterator[_Sample]:
    for message in iter_messages(doc):
        examples = message.node.get("examples")
        if not isinstance(examples, list):
            continue
        for index, example in enumerate(examples):
            if not isinstance(example, dict):
                continue
            name = example.get("name")
            label = f"example `{name}`" if isinstance(name, str) else f"example #{index + 1}"
            context = f"message `{message.id}`"
            # AsyncAPI 2.x declares the payload's `schemaFormat` on the message itself.
            v2_format = message.node.get("schemaFormat")
            foreign = isinstance(v2_format, str) and not v2_format.startswith(_JSON_FORMATS)
            for part in ("payload", "headers"):
                if foreign and part == "payload":
                    continue
                schema, nullable = _payload_schema(message.node.get(part))
                if part == "payload" and isinstance(v2_format, str) and "openapi;version=3.0" in v2_format:
                    nullable = True
                if schema is not None and part in example:
                    yield _Sample(
                        example[part], schema, example, part, label, f"{context} {part}", None, nullable
                    )


def _schema_samples(doc: Document) -> Iterator[_Sample]:
    """`example` (OpenAPI) and `examples` (JSON Schema) written inside schemas."""
    nullable = doc.kind == "openapi" and doc.major_minor == "3.0"
    for use in schema_usage(doc).values():
        node = use.node
        if "example" in node:
            yield _Sample(node["example"], node, node, "example", "schema example", "", None, nullable)
        examples = node.get("examples")
        if isinstance(examples, list):
            for index, value in enumerate(examples):
                yield _Sample(value, node, examples, index, "schema example", "", None, nullable)


def _against(sample: _Sample) -> str:
    return f"the schema of {sample.context}" if sample.context else "the schema declaring it"


def _describe(error: jsonschema_rs.ValidationError) -> str:
    path = "".join(f"/{escape(str(part))}" for part in error.instance_path) or "/"
    text = error.message if len(error.message) <= _MAX_TEXT else error.message[: _MAX_TEXT - 3] + "..."
    return f"at {path}: {text}"


@rule(
    "examples-valid",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family=FAMILY,
    summary="Every example validates against its schema (formats included).",
    rationale="""
Examples are documentation consumers copy, the responses of `accord mock` (`Prefer:
example=<name>`) and the fixtures of contract tests; an example its own schema rejects misleads
all three. Checked: media type `example` and `examples.*.value` (OAS 3.1 §4.8.14, §4.8.19),
parameter and header examples, schema `example`/`examples` (JSON Schema 2020-12 §9.5) and AsyncAPI
message `examples[*].payload`/`headers`, validated with JSON Schema 2020-12 semantics and `format`
assertions; OpenAPI 3.0 `nullable: true` allows `null`, and `readOnly`/`writeOnly` properties are
not required in requests/responses respectively.
""",
    good="""
schema:
  type: object
  required: [status]
  properties:
    status: {type: string, enum: [open, shipped]}
examples:
  open:
    value: {status: open}
""",
    bad="""
schema:
  type: object
  required: [status]
  properties:
    status: {type: string, enum: [open, shipped]}
examples:
  open:
    value: {status: OPEN}
""",
)
def examples_valid(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    samples = list(_openapi_samples(doc) if doc.kind == "openapi" else _asyncapi_samples(doc))
    samples.extend(_schema_samples(doc))
    if not samples:
        return
    validators = _Validators(samples)
    for sample in samples:
        validator = validators.get(sample)
        if validator is None:
            continue
        try:
            if validator.is_valid(sample.value):
                continue
            errors = list(islice(validator.iter_errors(sample.value), SHOWN_ERRORS + 1))
        except Exception:  # a value jsonschema-rs cannot take (NaN, cycles ...)
            continue
        if not errors:
            continue
        shown = "; ".join(_describe(e) for e in errors[:SHOWN_ERRORS])
        more = " (and more)" if len(errors) > SHOWN_ERRORS else ""
        yield Violation(
            doc.where(sample.holder, sample.key),
            f"{sample.label} does not match its schema: {shown}{more}",
            f"validated against {_against(sample)}; fix the example or the schema",
        )
