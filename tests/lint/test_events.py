"""Events family: AsyncAPI 2.6, options, traits, other schema formats and broken documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from accord.config import LintConfig
from accord.lint import RULES, load_builtin_rules, run_lint, select_rules
from accord.loader import Document, load_document
from accord.model import Finding

load_builtin_rules()
EVENT_RULES = sorted(r for r in RULES if RULES[r].family == "events")
FIXTURES = Path(__file__).parent.parent / "fixtures" / "lint"
#: A clean AsyncAPI 3.0 document (every events rule passes on it).
BASE = (FIXTURES / "cloudevents-envelope" / "good.yaml").read_text()


def _doc(tmp_path: Path, text: str, name: str = "asyncapi.yaml") -> Document:
    path = tmp_path / name
    path.write_text(text)
    return load_document(path, root=tmp_path)


def _variant(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _lint(doc: Document, *ids: str, options: dict[str, dict[str, Any]] | None = None) -> list[Finding]:
    return run_lint(
        [doc], LintConfig(extends="none"), only=list(ids or EVENT_RULES), options=options
    ).findings


def _sites(findings: list[Finding]) -> list[tuple[str, str, int | None]]:
    return [(f.rule_id, f.location.pointer, f.location.line) for f in findings]


def test_base_document_is_clean_for_every_events_rule(tmp_path: Path) -> None:
    assert _lint(_doc(tmp_path, BASE)) == []


ASYNCAPI_26 = """\
asyncapi: 2.6.0
info: {title: Order events, version: 1.0.0}
defaultContentType: application/cloudevents+json
servers:
  production: {url: 'events.example.com:5671', protocol: amqps}
channels:
  orders.order.cancelled.v1:
    bindings:
      amqp: {is: routingKey, exchange: {name: distribution.events, type: topic}}
    subscribe:
      operationId: publishOrderCancelled
      summary: Publish order cancelled.
      bindings:
        amqp: {deliveryMode: 2}
      message:
        $ref: '#/components/messages/orderCancelled'
  Invoices/Paid:
    publish:
      operationId: onInvoicePaid
      summary: React to paid invoices.
      bindings:
        amqp: {deliveryMode: 2}
      message:
        name: invoicePaid
        title: Invoice paid
        summary: An invoice was paid.
        correlationId: {location: '$message.header#/messageId'}
        schemaFormat: application/vnd.apache.avro;version=1.9.0
        payload: {type: record, name: InvoicePaid, fields: []}
components:
  messages:
    orderCancelled:
      name: orderCancelled
      title: Order cancelled
      summary: An order was cancelled.
      correlationId: {location: $message.payload#/id}
      payload:
        allOf:
          - $ref: '#/components/schemas/CloudEventEnvelope'
          - type: object
            properties:
              type: {type: string, const: com.acme.distribution.orders.order.cancelled.v2}
      examples:
        - payload: {specversion: '1.0', id: '1', source: /oms, type: com.acme.distribution.orders.order.cancelled.v2,
                    time: '2025-03-14T08:05:00Z', traceparent: x, data: {}}
  schemas:
    CloudEventEnvelope:
      type: object
      required: [specversion, id, source, type]
      properties:
        specversion: {type: string}
        id: {type: string}
        source: {type: string}
        type: {type: string}
        time: {type: string, format: date-time}
        traceparent: {type: string}
        data: {type: object}
"""


def test_asyncapi_26_is_read_through_the_normalised_view(tmp_path: Path) -> None:
    """2.6: the channel key is the address; subscribe is send, publish is receive; Avro is not judged."""
    findings = _lint(_doc(tmp_path, ASYNCAPI_26))
    assert _sites(findings) == [
        ("channel-type-version-match", "/channels/orders.order.cancelled.v1", 7),
        ("amqp-channel-binding", "/channels/Invoices~1Paid", 17),
        ("channel-address-naming", "/channels/Invoices~1Paid", 17),
        ("amqp-operation-binding", "/channels/Invoices~1Paid/publish/bindings/amqp", 22),
        ("message-examples", "/channels/Invoices~1Paid/publish/message", 23),
    ]
    assert "version differ" in findings[0].message
    assert "receive operation `onInvoicePaid`" in findings[3].message


def test_prefix_option(tmp_path: Path) -> None:
    doc = _doc(tmp_path, BASE)
    options = {"event-type-naming": {"prefix": "com.example"}, "channel-type-version-match": {"prefix": "x"}}
    findings = _lint(doc, "event-type-naming", "channel-type-version-match", options=options)
    assert [(f.rule_id, f.location.pointer.split("/")[3]) for f in findings] == [
        ("event-type-naming", "orderCancelled"),
        ("event-type-naming", "invoicePaid"),
    ]
    assert "is not `com.example.<domain>.<entity>.<verb>.v<N>`" in findings[0].message
    renamed = _doc(tmp_path, BASE.replace("com.acme.distribution.", "com.example."), "renamed.yaml")
    assert _lint(renamed, "event-type-naming", options=options) == []


def test_exchange_option_and_non_amqp_documents(tmp_path: Path) -> None:
    doc = _doc(tmp_path, BASE)
    options = {"amqp-channel-binding": {"exchange": "orders.events"}}
    findings = _lint(doc, "amqp-channel-binding", options=options)
    assert [f.location.pointer for f in findings] == [
        "/channels/orderCancelled/bindings/amqp/exchange/name",
        "/channels/invoicePaid/bindings/amqp/exchange/name",
    ]
    kafka = _doc(
        tmp_path,
        _variant(("    protocol: amqps\n", "    protocol: kafka\n"), ("        ack: true\n", "")),
        "kafka.yaml",
    )
    assert _lint(kafka, "amqp-channel-binding", "amqp-operation-binding") == []


def test_traits_supply_names_summaries_and_correlation_ids(tmp_path: Path) -> None:
    text = _variant(
        (
            "      name: orderCancelled\n      title: Order cancelled\n      summary: A sales order was cancelled.\n"
            "      contentType: application/cloudevents+json\n      correlationId:\n"
            "        location: $message.payload#/id\n",
            "      traits:\n        - $ref: '#/components/messageTraits/cloudEvent'\n"
            "        - {name: orderCancelled, title: Order cancelled, summary: A sales order was cancelled.}\n",
        ),
        (
            "    summary: Publish com.acme.distribution.orders.order.cancelled.v1.\n",
            "    traits:\n      - {summary: Publish com.acme.distribution.orders.order.cancelled.v1.}\n",
        ),
    ).replace(
        "  schemas:\n",
        "  messageTraits:\n    cloudEvent:\n      contentType: application/cloudevents+json\n"
        "      correlationId: {location: $message.payload#/id}\n  schemas:\n",
        1,
    )
    doc = _doc(tmp_path, text)
    assert _lint(doc) == []


def test_other_schema_formats_are_not_judged_but_count_as_defined(tmp_path: Path) -> None:
    avro = (
        "      payload:\n        schemaFormat: application/vnd.apache.avro;version=1.9.0\n"
        "        schema: {type: record, name: InvoicePaid, fields: []}\n"
    )
    start = BASE.index("      payload:", BASE.index("    invoicePaid:\n      name"))
    end = BASE.index("      examples:", start)
    doc = _doc(tmp_path, BASE[:start] + avro + BASE[end:])
    findings = _lint(doc)
    # The Avro payload has no `type` to compare and no schema to validate: nothing is reported.
    assert findings == []


def test_inherited_content_type_is_reported_at_the_message(tmp_path: Path) -> None:
    doc = _doc(
        tmp_path,
        _variant(
            ("defaultContentType: application/cloudevents+json\n", "defaultContentType: application/json\n")
        ),
    )
    findings = _lint(doc, "message-content-type")
    assert _sites(findings) == [("message-content-type", "/components/messages/invoicePaid", 92)]
    assert "(inherited from `defaultContentType`)" in findings[0].message


def test_header_correlation_ids_point_into_the_headers(tmp_path: Path) -> None:
    headers = (
        "      headers:\n        type: object\n        properties:\n          messageId: {type: string}\n"
    )
    ok = _variant(
        (
            "      summary: An invoice was paid in full.\n      correlationId:\n        location: $message.payload#/id\n",
            "      summary: An invoice was paid in full.\n"
            + headers
            + "      correlationId:\n        location: $message.header#/messageId\n",
        )
    )
    assert _lint(_doc(tmp_path, ok), "message-correlation-id") == []
    bad = _doc(tmp_path, ok.replace("$message.header#/messageId", "$message.header#/id"), "bad.yaml")
    findings = _lint(bad, "message-correlation-id")
    assert [f.location.pointer for f in findings] == [
        "/components/messages/invoicePaid/correlationId/location"
    ]
    assert "the headers schema does not declare" in findings[0].message


def test_one_valid_example_is_enough(tmp_path: Path) -> None:
    invalid = "      examples:\n        - name: wrongType\n          payload: {specversion: '1.0', id: x}\n"
    doc = _doc(
        tmp_path,
        _variant(("      examples:\n        - name: paidByWire\n", invalid + "        - name: paidByWire\n")),
    )
    assert _lint(doc, "message-examples") == []


def test_recursive_payloads_are_validated_and_walked_safely(tmp_path: Path) -> None:
    recursive = """    InvoicePaidData:
      type: object
      required: [invoiceId]
      properties:
        invoiceId: {type: string, maxLength: 20}
        replaces: {$ref: '#/components/schemas/InvoicePaidData'}
"""
    start = BASE.index("    InvoicePaidData:")
    doc = _doc(tmp_path, BASE[:start] + recursive)
    assert _lint(doc) == []
    broken = BASE[:start] + recursive.replace("invoiceId: {type: string", "invoiceId: {type: integer")
    findings = _lint(_doc(tmp_path, broken, "broken.yaml"), "message-examples")
    assert _sites(findings) == [("message-examples", "/components/messages/invoicePaid/examples", 109)]


WILD = """\
asyncapi: 3.0.0
info: {title: T, version: 1.0.0}
servers: [1, 2]
channels:
  a: 7
  b:
    address: null
    messages: [1, {payload: 3}]
    bindings: {amqp: {is: routingKey, exchange: topic}}
  c:
    address: c.d.e.v1
    messages:
      m: {payload: {$ref: 'elsewhere.yaml#/Nope'}, correlationId: {location: $message.payload#/~9}}
      n: {payload: {allOf: [{$ref: '#/components/schemas/Self'}]}, examples: not-a-list}
operations:
  x: 3
  y: {action: send, channel: {$ref: '#/channels/c'}, bindings: {amqp: 5}}
  z: {action: shout, messages: {a: 1}}
components:
  schemas:
    Self:
      properties:
        type: {allOf: [{$ref: '#/components/schemas/Self'}], enum: [1, com.acme.distribution.c.d.e.v1]}
        self: {$ref: '#/components/schemas/Self'}
"""


def test_rules_never_raise_on_broken_documents(tmp_path: Path) -> None:
    findings = _lint(_doc(tmp_path, WILD))
    rules = {f.rule_id for f in findings}
    assert {"amqp-channel-binding", "amqp-operation-binding", "message-name-title"} <= rules
    assert all(f.location.line is not None for f in findings)


def test_operation_summary_async_is_opt_in_and_the_rest_are_recommended() -> None:
    recommended = {s.rule.id for s in select_rules(LintConfig(extends="recommended"))}
    assert "operation-summary-async" not in recommended
    assert set(EVENT_RULES) - {"operation-summary-async"} <= recommended
    assert all(RULES[r].applies_to == {"asyncapi"} for r in EVENT_RULES)
    assert len(EVENT_RULES) == 13
