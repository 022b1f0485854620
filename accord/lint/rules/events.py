"""Events: CloudEvents 1.0 envelopes, event type and channel naming, AMQP bindings, message metadata.

AsyncAPI 2.6 and 3.0 are read through :mod:`accord.spec` (2.x ``subscribe`` is ``send``, ``publish``
is ``receive``; a 2.x channel key is its address).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs

from accord.lint._events_helpers import (
    CHANNEL_ADDRESS,
    EventType,
    amqp_binding,
    channel_address_location,
    channel_messages,
    event_type_pattern,
    event_types,
    message_field,
    operation_field,
    payload_schema,
    prefix_option,
    speaks_amqp,
    type_location,
)
from accord.lint._schema_helpers import is_unresolved, merged_properties
from accord.lint.registry import ASYNCAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.loader._pointer import JsonPointerException, tokens
from accord.model import Location, Severity
from accord.spec import Message, iter_async_operations, iter_channels, iter_messages
from accord.spec.schema_export import to_json_schema

FAMILY = "events"
#: CloudEvents 1.0 §3.1 REQUIRED context attributes.
CE_REQUIRED = ("specversion", "id", "source", "type")
#: CloudEvents 1.0 §3.2 OPTIONAL attribute `time` and §3.3 `data`, which our events always carry.
CE_DECLARED = ("time", "data")
CLOUDEVENTS_JSON = "application/cloudevents+json"
DEFAULT_EXCHANGE = "distribution.events"
CORRELATION_SOURCES = ("$message.payload#", "$message.header#")
PERSISTENT = 2


def _messages(doc: Document) -> Iterator[tuple[Message, dict[str, Any] | None]]:
    for message in iter_messages(doc):
        if not is_unresolved(message.node):
            yield message, payload_schema(message.node)


def _at(doc: Document, node: dict[str, Any], key: str) -> Location:
    return doc.where(node, key) if key in node else doc.where(node)


def _payload_site(doc: Document, message: Message) -> Location:
    """Where the message names its payload (a shared payload schema is written elsewhere)."""
    return _at(doc, message.node, "payload")


def _names(names: list[str], last: str = "and") -> str:
    """`a`, `b` and `c`."""
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {last} {quoted[-1]}"


# --- CloudEvents envelope and event types -----------------------------------------------------


@rule(
    "cloudevents-envelope",
    severity=Severity.ERROR,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Every message payload is a CloudEvents 1.0 envelope: `specversion`, `id`, `source`, `type` required; `time`, `data` declared.",
    rationale="""
Every event travels as a CloudEvents 1.0 structured-mode message (CloudEvents JSON Event Format §3),
so consumers, the dead-letter tooling and the tracing pipeline read the same attributes whatever
the producer. CloudEvents 1.0 §3.1 makes `specversion`, `id`, `source` and `type` REQUIRED: they
must be `required` properties of the payload. `time` (§3.2, when it happened) and `data` (§3.3,
the event-specific content) are OPTIONAL in CloudEvents but part of our envelope: they must be
declared. The payload is judged after merging its `allOf` members, so
`allOf: [{$ref: CloudEventEnvelope}, {properties: {type: {const: ...}, data: ...}}]` passes.
""",
    good="""
payload:
  allOf:
    - $ref: '../common/events.yaml#/CloudEventEnvelope'
    - type: object
      required: [type, data]
      properties:
        type: {type: string, const: com.acme.distribution.orders.order.cancelled.v1}
        data: {$ref: '#/components/schemas/SalesOrder'}
""",
    bad="""
payload:
  type: object
  required: [orderId]
  properties:
    orderId: {type: string}
""",
)
def cloudevents_envelope(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for message, payload in _messages(doc):
        if payload is None:
            continue
        properties, required = merged_properties(payload)
        not_required = [a for a in CE_REQUIRED if a not in required or a not in properties]
        undeclared = [a for a in CE_DECLARED if a not in properties]
        if not not_required and not undeclared:
            continue
        problems = []
        if not_required:
            problems.append(f"{_names(not_required)} not required")
        if undeclared:
            problems.append(f"{_names(undeclared)} not declared")
        yield Violation(
            _payload_site(doc, message),
            f"payload of message `{message.id}` is not a CloudEvents 1.0 envelope: {'; '.join(problems)}",
            "combine the shared envelope: `allOf: [{$ref: '../common/events.yaml#/CloudEventEnvelope'}, ...]`",
        )


@rule(
    "event-type-naming",
    severity=Severity.WARN,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="The payload's `type` is a `const` named `<prefix>.<domain>.<entity>.<verb>.v<N>` in kebab-case segments.",
    rationale="""
CloudEvents 1.0 §3.1.4 recommends prefixing `type` with a reverse-DNS name of the organisation;
consumers subscribe and dispatch on it, so it must be pinned per message (`const`) and predictable:
`com.acme.distribution.<domain>.<entity>.<verb>.v<N>`, e.g.
`com.acme.distribution.orders.order.credit-hold-placed.v1`. The trailing major version lets a
breaking change run beside its predecessor. Segments are lower-case kebab-case; the verb is past
tense by convention. Option `prefix` (default `com.acme.distribution`).
""",
    good="""
type:
  type: string
  const: com.acme.distribution.orders.order.cancelled.v1
""",
    bad="""
type:
  type: string
  const: OrderCancelled
""",
)
def event_type_naming(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    prefix = prefix_option(ctx.options)
    pattern = event_type_pattern(prefix)
    for message, payload in _messages(doc):
        if payload is None:
            continue
        found = event_types(payload)
        if not found:
            properties, _ = merged_properties(payload)
            if "type" in properties:
                yield Violation(
                    _payload_site(doc, message),
                    f"message `{message.id}` does not pin its CloudEvents `type` with a `const`",
                    f"add `const: {prefix}.<domain>.<entity>.<verb>.v<N>` to the payload's `type`",
                )
            continue
        for event_type in found:
            if not pattern.match(event_type.value):
                yield Violation(
                    type_location(doc, event_type),
                    f"event type `{event_type.value}` is not `{prefix}.<domain>.<entity>.<verb>.v<N>`",
                    "use lower-case kebab-case segments and a trailing major version (`.v1`)",
                )


@rule(
    "channel-address-naming",
    severity=Severity.WARN,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Channel addresses are `<domain>.<entity>.<verb>.v<N>` in kebab-case segments.",
    rationale="""
The channel address is the AMQP routing key consumers bind their queues with; topic exchanges
match it word by word (AMQP 0-9-1 topic exchange: `*` one word, `#` zero or more), so a fixed
`<domain>.<entity>.<verb>.v<N>` shape lets a consumer bind `orders.order.*.v1` or `orders.#`. In
AsyncAPI 2.6 the channel key is the address; in 3.0 it is `address` (channels without an address
are dynamic and not judged).
""",
    good="""
orderCancelled:
  address: orders.order.cancelled.v1
""",
    bad="""
orderCancelled:
  address: /orders/cancelled
""",
)
def channel_address_naming(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for channel in iter_channels(doc):
        if channel.address is None or is_unresolved(channel.node):
            continue
        if not CHANNEL_ADDRESS.match(channel.address):
            yield Violation(
                channel_address_location(doc, channel),
                f"channel address `{channel.address}` is not `<domain>.<entity>.<verb>.v<N>`",
                "use lower-case kebab-case segments separated by dots and a trailing major version",
            )


_PARTS = ("domain", "entity", "verb", "version")


def _mismatch(event_type: EventType, address: str, prefix: str) -> str | None:
    """How an event type and a channel address differ, or ``None`` when the address is the type's tail."""
    if event_type.value == f"{prefix}.{address}" or event_type.value.endswith(f".{address}"):
        return None
    tail = event_type.value.split(".")[-4:]
    parts = address.split(".")
    if len(parts) == 4 and len(tail) == 4:
        differ = [name for name, a, b in zip(_PARTS, tail, parts, strict=True) if a != b]
        return f"{', '.join(differ)} differ"
    return "the address is not the type without its prefix"


@rule(
    "channel-type-version-match",
    severity=Severity.ERROR,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="A channel's address is the event type of its messages without the prefix (same domain, entity, verb, version).",
    rationale="""
Consumers bind queues by routing key (the channel address) and dispatch on the CloudEvents `type`.
When the two disagree, a consumer bound to `orders.order.cancelled.v1` receives
`...orders.order.cancelled.v2` events it cannot parse, or a version bump of the type silently stops
routing. The address must equal the type without its prefix: `orders.order.cancelled.v1` carries
`com.acme.distribution.orders.order.cancelled.v1`. Option `prefix` (default `com.acme.distribution`).
""",
    good="""
channels:
  orderCancelled:
    address: orders.order.cancelled.v1   # payload type const: com.acme.distribution.orders.order.cancelled.v1
""",
    bad="""
channels:
  orderCancelled:
    address: orders.order.cancelled.v1   # payload type const: com.acme.distribution.orders.order.cancelled.v2
""",
)
def channel_type_version_match(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    prefix = prefix_option(ctx.options)
    for channel, message in channel_messages(doc):
        payload = payload_schema(message.node)
        if channel.address is None or payload is None:
            continue
        for event_type in event_types(payload):
            problem = _mismatch(event_type, channel.address, prefix)
            if problem is not None:
                yield Violation(
                    channel_address_location(doc, channel),
                    f"channel `{channel.address}` carries message `{message.id}` of type "
                    f"`{event_type.value}`: {problem}",
                    f"make the address `{event_type.value.removeprefix(prefix + '.')}` or fix the type",
                )


@rule(
    "message-payload-defined",
    severity=Severity.ERROR,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Every message defines its payload schema.",
    rationale="""
A message without a payload schema (AsyncAPI 3.0 Message Object `payload`; 2.6 the same) gives
consumers nothing to generate code from, the gateway and `accord events` nothing to validate, and
the diff nothing to compare: any change is invisible. An empty schema `{}` accepts anything and is
no better. Payloads in other schema formats (Avro, Protobuf) count as defined.
""",
    good="""
orderCancelled:
  payload:
    $ref: '#/components/schemas/OrderCancelled'
""",
    bad="""
orderCancelled:
  name: orderCancelled
  contentType: application/cloudevents+json
""",
)
def message_payload_defined(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for message, _ in _messages(doc):
        node = message.node
        payload = node.get("payload")
        if isinstance(payload, dict) and isinstance(payload.get("schemaFormat"), str):
            payload = payload.get("schema")  # Multi Format Schema Object (AsyncAPI 3.0)
        if payload is None:
            yield Violation(
                doc.where(node), f"message `{message.id}` has no `payload`", "add a `payload` schema"
            )
        elif not isinstance(payload, dict):
            yield Violation(
                _at(doc, node, "payload"),
                f"payload of message `{message.id}` is not a schema object",
                "write the payload as a schema (or a $ref to one)",
            )
        elif not payload:
            yield Violation(
                _at(doc, node, "payload"),
                f"payload of message `{message.id}` is the empty schema: it accepts anything",
                "describe the payload (the CloudEvents envelope and its `data`)",
            )


# --- AMQP bindings ------------------------------------------------------------------------------


@rule(
    "amqp-channel-binding",
    severity=Severity.ERROR,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Channels carry an AMQP binding: `is: routingKey` on the topic exchange `distribution.events`.",
    rationale="""
All domain events flow through one durable topic exchange; the channel address is the routing key
(AMQP channel binding 0.3.0, `is: routingKey`) and consumers bind their own queues to it. The
binding makes that wiring part of the contract, so `accord events` and the consumers declare the
same exchange (AMQP 0-9-1 §3.1.3.3 topic exchange). Option `exchange` (default
`distribution.events`). Documents whose servers are all non-AMQP (Kafka, MQTT ...) are not judged.
""",
    good="""
bindings:
  amqp:
    is: routingKey
    exchange: {name: distribution.events, type: topic, durable: true}
    bindingVersion: 0.3.0
""",
    bad="""
bindings:
  amqp:
    is: queue
    queue: {name: orders-cancelled}
""",
)
def amqp_channel_binding(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    if not speaks_amqp(doc):
        return
    exchange_option = ctx.options.get("exchange")
    expected = exchange_option if isinstance(exchange_option, str) else DEFAULT_EXCHANGE
    for channel in iter_channels(doc):
        node = channel.node
        if is_unresolved(node):
            continue
        amqp = amqp_binding(node)
        label = f"channel `{channel.address or channel.id}`"
        if not isinstance(amqp, dict):
            yield Violation(
                _at(doc, node, "bindings"),
                f"{label} has no AMQP binding",
                f"add `bindings.amqp` with `is: routingKey` and exchange `{expected}` (type topic)",
            )
            continue
        if amqp.get("is") != "routingKey":
            yield Violation(
                _at(doc, amqp, "is"),
                f"{label} binding is `{amqp.get('is')}`, not `routingKey`",
                "set `is: routingKey`: the address is the routing key on the shared exchange",
            )
        exchange = amqp.get("exchange")
        if not isinstance(exchange, dict):
            yield Violation(
                _at(doc, amqp, "exchange"),
                f"{label} binding has no `exchange` object",
                f"add `exchange: {{name: {expected}, type: topic}}`",
            )
            continue
        if exchange.get("type") != "topic":
            yield Violation(
                _at(doc, exchange, "type"),
                f"{label} exchange type is `{exchange.get('type')}`, not `topic`",
                "events are published to a topic exchange",
            )
        if exchange.get("name") != expected:
            yield Violation(
                _at(doc, exchange, "name"),
                f"{label} exchange is `{exchange.get('name')}`, not `{expected}`",
                f"publish to the shared exchange `{expected}`",
            )


@rule(
    "amqp-operation-binding",
    severity=Severity.WARN,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Send operations are persistent (`deliveryMode: 2`); receive operations acknowledge (`ack: true`).",
    rationale="""
An event the broker keeps only in memory is lost when the broker restarts: publishers mark
messages persistent (AMQP 0-9-1 basic properties `delivery-mode` 2; AMQP operation binding 0.3.0
`deliveryMode`). A consumer that does not acknowledge (`no-ack`) loses every message it crashes
on: consumers acknowledge explicitly after processing (AMQP operation binding `ack: true`, AMQP
0-9-1 §3.1.8 basic.ack) and dead-letter what they cannot process. Documents whose servers are all
non-AMQP are not judged.
""",
    good="""
publishOrderCancelled:
  action: send
  bindings:
    amqp: {deliveryMode: 2, bindingVersion: 0.3.0}
onInvoicePaid:
  action: receive
  bindings:
    amqp: {ack: true, bindingVersion: 0.3.0}
""",
    bad="""
onInvoicePaid:
  action: receive
  bindings:
    amqp: {deliveryMode: 2, bindingVersion: 0.3.0}
""",
)
def amqp_operation_binding(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    if not speaks_amqp(doc):
        return
    for op in iter_async_operations(doc):
        if op.action not in ("send", "receive"):
            continue
        bindings = operation_field(op.node, "bindings")
        amqp = bindings.get("amqp") if isinstance(bindings, dict) else None
        label = f"{op.action} operation `{op.id}`"
        want = "`deliveryMode: 2`" if op.action == "send" else "`ack: true`"
        if not isinstance(amqp, dict):
            yield Violation(
                _at(doc, op.node, "bindings"),
                f"{label} has no AMQP binding",
                f"add `bindings: {{amqp: {{{want.strip('`')}, bindingVersion: 0.3.0}}}}`",
            )
            continue
        if op.action == "send" and amqp.get("deliveryMode") != PERSISTENT:
            yield Violation(
                _at(doc, amqp, "deliveryMode"),
                f"{label} does not publish persistent messages (no `deliveryMode: 2` in its AMQP binding)",
                "set `deliveryMode: 2` so events survive a broker restart",
            )
        if op.action == "receive" and amqp.get("ack") is not True:
            yield Violation(
                _at(doc, amqp, "ack"),
                f"{label} does not acknowledge messages explicitly (no `ack: true` in its AMQP binding)",
                "set `ack: true`: acknowledge after processing, dead-letter on failure",
            )


# --- message metadata ---------------------------------------------------------------------------


def _declares_path(schema: Any, path: list[str]) -> bool:
    """Whether ``schema`` (``allOf`` merged at each level) declares the property path ``path``."""
    current = [schema]
    for name in path:
        following: list[Any] = []
        for node in current:
            properties, _ = merged_properties(node)
            following.extend(properties.get(name, ()))
            items = node.get("items") if isinstance(node, dict) else None
            if name.isdigit() and isinstance(items, dict):
                following.append(items)
        if not following:
            return False
        current = following
    return True


@rule(
    "message-correlation-id",
    severity=Severity.WARN,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Every message declares a `correlationId` located in its payload or headers.",
    rationale="""
The correlation id (AsyncAPI 3.0 Correlation ID Object) tells tools which field identifies a
message, so logs, traces and dead-letter queues can be joined across services. Its `location` is a
runtime expression (AsyncAPI 3.0 §Runtime Expression): `$message.payload#/<json-pointer>` or
`$message.header#/<json-pointer>` (RFC 6901); for CloudEvents it is `$message.payload#/id`. The
pointer must name a property the payload (or headers) schema declares.
""",
    good="""
correlationId:
  location: $message.payload#/id
""",
    bad="""
correlationId:
  location: $message.payload.id
""",
)
def message_correlation_id(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for message, payload in _messages(doc):
        node = message.node
        correlation = message_field(node, "correlationId")
        if correlation is None:
            yield Violation(
                doc.where(node),
                f"message `{message.id}` has no `correlationId`",
                "add `correlationId: {location: $message.payload#/id}`",
            )
            continue
        if is_unresolved(correlation):
            continue
        location = correlation.get("location") if isinstance(correlation, dict) else None
        if not isinstance(location, str) or not location.startswith(CORRELATION_SOURCES):
            where = _at(doc, correlation, "location") if isinstance(correlation, dict) else doc.where(node)
            yield Violation(
                where,
                f"correlationId of message `{message.id}` has location `{location}`, not a "
                "`$message.payload#/...` or `$message.header#/...` runtime expression",
                "write `location: $message.payload#/id`",
            )
            continue
        source, _, pointer = location.partition("#")
        schema = payload if source == "$message.payload" else message_field(node, "headers")
        if not isinstance(schema, dict) or is_unresolved(schema):
            continue
        try:
            path: list[str] | None = tokens(pointer)
        except JsonPointerException:  # a malformed pointer: said below
            path = None
        if path is None or not path or not _declares_path(schema, path):
            part = "payload" if source == "$message.payload" else "headers"
            yield Violation(
                _at(doc, correlation, "location"),
                f"correlationId of message `{message.id}` points at `{pointer}`, which the {part} schema does not declare",
                f"point at a declared {part} property (CloudEvents: `$message.payload#/id`)",
            )


@rule(
    "message-traceparent",
    severity=Severity.WARN,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Every message carries the W3C `traceparent` (in the payload or the headers).",
    rationale="""
A trace that stops at the broker cannot show which request caused an event or how long consumers
took. W3C Trace Context `traceparent` travels with the event: the CloudEvents Distributed Tracing
extension puts it in the envelope (structured mode), AMQP headers carry it otherwise. The rule
accepts a `traceparent` property in the payload or the headers schema (after `allOf` merging).
""",
    good="""
payload:
  allOf:
    - $ref: '../common/events.yaml#/CloudEventEnvelope'   # declares traceparent
""",
    bad="""
payload:
  type: object
  properties:
    specversion: {type: string}
""",
)
def message_traceparent(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for message, payload in _messages(doc):
        node = message.node
        headers = message_field(node, "headers")
        if payload is None and node.get("payload") is not None:
            continue  # another schema format or an unresolved reference: not judged
        if "traceparent" in merged_properties(payload)[0] or "traceparent" in merged_properties(headers)[0]:
            continue
        yield Violation(
            doc.where(node),
            f"message `{message.id}` carries no `traceparent` (payload or headers)",
            "use the shared CloudEvents envelope, which declares `traceparent`",
        )


class _Validators:
    """One compiled validator per payload schema (``None`` when it cannot be compiled)."""

    def __init__(self) -> None:
        self._cache: dict[int, Any] = {}

    def get(self, schema: dict[str, Any]) -> Any:
        key = id(schema)
        if key not in self._cache:
            try:
                self._cache[key] = jsonschema_rs.Draft202012Validator(
                    to_json_schema(schema), validate_formats=True
                )
            except Exception:  # an invalid schema (bad regex ...) is reported by validation
                self._cache[key] = None
        return self._cache[key]


def _valid(validator: Any, value: Any) -> bool:
    try:
        return bool(validator.is_valid(value))
    except Exception:  # a value jsonschema-rs cannot convert (e.g. a YAML timestamp): invalid
        return False


@rule(
    "message-examples",
    severity=Severity.WARN,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Every message has at least one example whose payload validates against its payload schema.",
    rationale="""
Message examples (AsyncAPI 3.0 Message Example Object: `name`, `summary`, `payload`, `headers`) are
what consumers copy into their tests and what `accord events` publishes to try a consumer; a message
without a valid one is documented by its schema alone. The rule wants at least one example with a
`payload` that validates (JSON Schema 2020-12 with format assertions, after exporting the resolved
schema); `examples-valid` reports each invalid example individually.
""",
    good="""
examples:
  - name: duplicateOrder
    summary: Order cancelled as a duplicate
    payload: {specversion: '1.0', id: b3e1c7a9, source: /oms/orders, type: ..., data: {...}}
""",
    bad="""
orderCancelled:
  name: orderCancelled
  payload: {$ref: '#/components/schemas/OrderCancelledEvent'}
""",
)
def message_examples(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    validators = _Validators()
    for message, payload in _messages(doc):
        node = message.node
        examples = message_field(node, "examples")
        samples = (
            [e["payload"] for e in examples if isinstance(e, dict) and "payload" in e]
            if isinstance(examples, list)
            else []
        )
        if not samples:
            yield Violation(
                _at(doc, node, "examples"),
                f"message `{message.id}` has no example with a `payload`",
                "add `examples: [{name, summary, payload}]`",
            )
            continue
        if payload is None:
            continue
        validator = validators.get(payload)
        if validator is None or any(_valid(validator, sample) for sample in samples):
            continue
        yield Violation(
            _at(doc, node, "examples"),
            f"no example payload of message `{message.id}` validates against its payload schema "
            f"({len(samples)} tried)",
            "fix the examples (`examples-valid` says where each one fails)",
        )


def _essence(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


@rule(
    "message-content-type",
    severity=Severity.WARN,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Every message has a content type (its own or `defaultContentType`); CloudEvents envelopes use `application/cloudevents+json`.",
    rationale="""
Without a content type (AsyncAPI 3.0 Message Object `contentType`, document `defaultContentType`)
a consumer guesses how to decode the body. A payload that is a CloudEvents envelope (it declares
`specversion`) is a structured-mode event, whose media type is `application/cloudevents+json`
(CloudEvents JSON Event Format §3; AMQP Protocol Binding §3.2): sending it as `application/json`
makes CloudEvents SDKs read it as binary mode and lose the envelope.
""",
    good="""
defaultContentType: application/cloudevents+json
""",
    bad="""
orderCancelled:
  contentType: application/json
  payload: {$ref: '../common/events.yaml#/CloudEventEnvelope'}
""",
)
def message_content_type(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    default = doc.data.get("defaultContentType") if isinstance(doc.data, dict) else None
    for message, payload in _messages(doc):
        node = message.node
        own = message_field(node, "contentType")
        effective = own if isinstance(own, str) and own.strip() else default
        if not isinstance(effective, str) or not effective.strip():
            yield Violation(
                doc.where(node),
                f"message `{message.id}` has no `contentType` and the document no `defaultContentType`",
                f"set `defaultContentType: {CLOUDEVENTS_JSON}` at the root",
            )
            continue
        if payload is None or "specversion" not in merged_properties(payload)[0]:
            continue
        if _essence(effective) == CLOUDEVENTS_JSON:
            continue
        inherited = effective is default and "contentType" not in node
        yield Violation(
            doc.where(node) if inherited else _at(doc, node, "contentType"),
            f"message `{message.id}` is a CloudEvents structured-mode envelope sent as `{effective}`"
            + (" (inherited from `defaultContentType`)" if inherited else ""),
            f"use `{CLOUDEVENTS_JSON}`",
        )


@rule(
    "operation-summary-async",
    severity=Severity.WARN,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Every AsyncAPI operation has a `summary` (its own or from an operation trait).",
    rationale="""
The summary is how an operation is listed in the catalogue, the generated consumer/publisher code
and changelogs (AsyncAPI 3.0 Operation Object `summary`; 2.6 the same). Unlike the generic
`operation-summary`, this rule honours operation traits (AsyncAPI 3.0 Operation Trait Object), which
may supply the summary. Not in the recommended set because `operation-summary` already covers
AsyncAPI operations there; enable it instead of that rule for trait-heavy documents.
""",
    good="""
publishOrderCancelled:
  action: send
  summary: Publish com.acme.distribution.orders.order.cancelled.v1.
""",
    bad="""
publishOrderCancelled:
  action: send
""",
    recommended=False,
)
def operation_summary_async(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in iter_async_operations(doc):
        summary = operation_field(op.node, "summary")
        if not isinstance(summary, str) or not summary.strip():
            yield Violation(
                doc.where(op.node),
                f"{op.action} operation `{op.id}` has no `summary`",
                "add a one-line `summary` (for a send: the event type it publishes)",
            )


@rule(
    "message-name-title",
    severity=Severity.WARN,
    applies_to=[ASYNCAPI],
    family=FAMILY,
    summary="Every message has a `name`, a `title` and a `summary`.",
    rationale="""
`name` is the machine-friendly message name code generators and `accord events` use; `title` and
`summary` are what documentation portals and the catalogue show (AsyncAPI 3.0 Message Object).
Messages without them appear as `<anonymous-message-1>`. Message traits may supply them.
""",
    good="""
orderCancelled:
  name: orderCancelled
  title: Order cancelled
  summary: A sales order was cancelled.
""",
    bad="""
orderCancelled:
  payload: {$ref: '#/components/schemas/OrderCancelledEvent'}
""",
)
def message_name_title(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for message, _ in _messages(doc):
        node = message.node
        missing = [
            key
            for key in ("name", "title", "summary")
            if not isinstance(message_field(node, key), str) or not message_field(node, key).strip()
        ]
        if missing:
            yield Violation(
                doc.where(node),
                f"message `{message.id}` has no {_names(missing, 'or')}",
                "add `name` (camelCase), `title` and a one-line `summary`",
            )
