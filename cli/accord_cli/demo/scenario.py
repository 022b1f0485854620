"""Customer order to shipment confirmation (the domain brief's scenario), step by step.

Every call goes through the gateway, so the contract policies act on it: authentication and
scopes, rate limits, schema validation, idempotency and trace context. Request bodies are the
named examples of the contracts; where a step needs a particular outcome (a credit hold, a partial
backorder) it asks the mock for that outcome with ``Prefer: example=<name>`` (Prism-compatible).
"""

from __future__ import annotations

import copy
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from accord.spec import iter_operations
from accord_cli.demo.environment import Environment
from accord_cli.demo.events import EventDesk

ACTORS = {
    "b2b-portal": ["orders:read", "orders:write", "customers:read", "items:read", "pricing:read"],
    "oms": [
        "orders:read",
        "orders:write",
        "customers:read",
        "customers:write",
        "inventory:read",
        "inventory:write",
    ],
    "credit-desk": ["customers:read", "customers:write"],
    "wms": ["fulfillment:read", "fulfillment:write", "inventory:write"],
    "tms": ["shipments:read", "shipments:write"],
    "erp-finance": ["invoices:read", "invoices:write"],
}


@dataclass
class Entry:
    """One line of the timeline."""

    step: int
    actor: str
    title: str
    request: str
    status: int
    expected: int
    detail: str = ""
    events: list[str] = field(default_factory=list)
    governance: str | None = None  # which policy acted, for the highlighted lines
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == self.expected

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "actor": self.actor,
            "title": self.title,
            "request": self.request,
            "status": self.status,
            "expected": self.expected,
            "ok": self.ok,
            "detail": self.detail,
            "events": self.events,
            "governance": self.governance,
            "elapsedMs": round(self.elapsed_ms, 2),
        }


class Scenario:
    """Runs the steps against an :class:`Environment`, recording a timeline."""

    def __init__(self, env: Environment, desk: EventDesk) -> None:
        self.env = env
        self.desk = desk
        self.trace_id = secrets.token_hex(16)
        self.timeline: list[Entry] = []
        self.tokens = {actor: env.token(actor, scopes) for actor, scopes in ACTORS.items()}
        self.operations: dict[str, tuple[str, str, dict[str, Any]]] = {}
        for doc in env.contract_set.documents:
            if doc.kind == "openapi":
                for op in iter_operations(doc):
                    if op.operation_id:
                        self.operations[op.operation_id] = (op.method.upper(), op.path, op.node)
        self.ids: dict[str, str] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{secrets.token_hex(8)}-01"

    def example(self, operation_id: str, name: str) -> Any:
        node = self.operations[operation_id][2]
        content = (node.get("requestBody") or {}).get("content") or {}
        for media in content.values():
            examples = media.get("examples") or {}
            if name in examples:
                return copy.deepcopy(examples[name]["value"])
        raise KeyError(f"{operation_id} has no request example {name!r}")

    async def call(
        self,
        actor: str,
        operation_id: str,
        title: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        prefer: str | None = None,
        expected: int = 200,
        idempotency_key: str | None = None,
        headers: dict[str, str] | None = None,
        events: list[str] | None = None,
        governance: str | None = None,
        record: bool = True,
    ) -> httpx.Response:
        method, template, _ = self.operations[operation_id]
        path = template
        for name, value in (params or {}).items():
            path = path.replace("{" + name + "}", value)
        sent = {"authorization": f"Bearer {self.tokens[actor]}", "traceparent": self.traceparent()}
        if prefer:
            sent["prefer"] = prefer
        if idempotency_key:
            sent["idempotency-key"] = idempotency_key
        sent.update(headers or {})
        started = time.perf_counter()
        response = await self.env.client.request(method, path, json=body, headers=sent)
        elapsed = (time.perf_counter() - started) * 1000
        emitted = []
        if response.status_code == expected:
            for operation in events or []:
                emitted.append(await self.desk.emit(operation, self.traceparent(), datetime.now(UTC)))
        if record:
            self.timeline.append(
                Entry(
                    len(self.timeline) + 1,
                    actor,
                    title,
                    f"{method} {path}",
                    response.status_code,
                    expected,
                    _detail(response),
                    emitted,
                    governance,
                    elapsed,
                )
            )
        return response

    def note(
        self, actor: str, title: str, detail: str, *, ok: bool = True, governance: str | None = None
    ) -> None:
        self.timeline.append(
            Entry(len(self.timeline) + 1, actor, title, "", 0 if ok else 1, 0, detail, [], governance)
        )

    # -- the story ---------------------------------------------------------------------------------
    async def run(self) -> None:
        await self.order_entry()
        await self.credit()
        await self.availability()
        await self.fulfillment()
        await self.shipping()
        await self.invoicing()
        await self.throttling()

    async def order_entry(self) -> None:
        key = f"portal-{uuid.uuid4().hex[:16]}"
        order = self.example("createSalesOrder", "portalOrder")
        first = await self.call(
            "b2b-portal",
            "createSalesOrder",
            "B2B portal submits order (Idempotency-Key)",
            body=order,
            idempotency_key=key,
            expected=201,
            events=["publishOrderSubmitted"],
        )
        self.ids["orderId"] = str(first.json().get("orderId", "SO-2025-000123"))
        hits = self.env.upstream_hits()
        retry = await self.call(
            "b2b-portal",
            "createSalesOrder",
            "Portal retries after a timeout",
            body=order,
            idempotency_key=key,
            expected=201,
            governance="idempotency",
        )
        replayed = retry.headers.get("idempotent-replayed") == "true" and self.env.upstream_hits() == hits
        same = retry.json().get("orderId") == self.ids["orderId"]
        self.timeline[-1].detail = (
            f"replayed from the idempotency store (upstream not called again, same order {self.ids['orderId']})"
            if replayed and same
            else f"NOT replayed: {self.timeline[-1].detail}"
        )
        if not (replayed and same):
            self.timeline[-1].status = -1
        bad = copy.deepcopy(order)
        bad["lines"][0]["quantity"]["value"] = 40  # a number where the contract wants a decimal string
        bad["currency"] = "usd"
        await self.call(
            "b2b-portal",
            "createSalesOrder",
            "Malformed order rejected before the OMS sees it",
            body=bad,
            idempotency_key=f"bad-{uuid.uuid4().hex[:16]}",
            expected=400,
            governance="validation",
        )

    async def credit(self) -> None:
        check = self.example("createCreditCheck", "scenarioOrder")
        check["orderId"] = self.ids["orderId"] if self.ids["orderId"].startswith("SO-") else check["orderId"]
        await self.call(
            "oms",
            "createCreditCheck",
            "Credit check: customer over its limit -> hold",
            body=check,
            prefer="example=hold",
            idempotency_key=f"cc-{uuid.uuid4().hex[:16]}",
            expected=201,
            events=["publishCustomerCreditHoldPlaced", "publishOrderCreditHoldPlaced"],
        )
        release = self.example("releaseCustomerCreditHold", "limitIncreased")
        await self.call(
            "b2b-portal",
            "releaseCustomerCreditHold",
            "Portal tries to release the hold itself",
            params={"customerId": "CUS-10042"},
            body=release,
            expected=403,
            idempotency_key=f"rel-{uuid.uuid4().hex[:16]}",
            governance="authorization",
        )
        await self.call(
            "credit-desk",
            "releaseCustomerCreditHold",
            "Credit desk raises the limit, releases hold",
            params={"customerId": "CUS-10042"},
            body=release,
            prefer="example=released",
            idempotency_key=f"rel-{uuid.uuid4().hex[:16]}",
            events=["publishCustomerCreditHoldReleased"],
        )

    async def availability(self) -> None:
        await self.call(
            "oms",
            "createAvailabilityCheck",
            "ATP: gloves partly available, rest backordered",
            body=self.example("createAvailabilityCheck", "partialBackorder"),
            prefer="example=partialBackorder",
            idempotency_key=f"atp-{uuid.uuid4().hex[:16]}",
            expected=201,
        )
        await self.call(
            "oms",
            "createReservation",
            "Reserve available stock",
            body=self.example("createReservation", "partialBackorder"),
            prefer="example=partialBackorder",
            idempotency_key=f"res-{uuid.uuid4().hex[:16]}",
            expected=201,
            events=["publishInventoryReserved", "publishOrderLineBackordered"],
        )
        await self.call(
            "oms",
            "substituteSalesOrderLine",
            "Discontinued towel -> approved substitute",
            params={"orderId": "SO-2025-000123", "lineId": "SO-2025-000123-3"},
            body=self.example("substituteSalesOrderLine", "discontinued"),
            prefer="example=discontinued",
            events=["publishOrderLineSubstituted", "publishOrderAccepted"],
        )

    async def fulfillment(self) -> None:
        created = await self.call(
            "wms",
            "createFulfillmentOrder",
            "WMS creates the Columbus fulfillment order",
            body=self.example("createFulfillmentOrder", "columbus"),
            idempotency_key=f"fo-{uuid.uuid4().hex[:16]}",
            expected=201,
        )
        fo = str(created.json().get("fulfillmentOrderId", "FO-610201"))
        await self.call(
            "wms",
            "releaseFulfillmentOrder",
            "Release to the pick wave",
            params={"fulfillmentOrderId": fo},
            body=self.example("releaseFulfillmentOrder", "wave"),
            prefer="example=released",
            events=["publishFulfillmentReleased"],
        )
        await self.call(
            "wms",
            "confirmPickTask",
            "Picker confirms the pick",
            params={"pickTaskId": "PT-900311"},
            body=self.example("confirmPickTask", "fullPick"),
            prefer="example=fullPick",
            idempotency_key=f"pick-{uuid.uuid4().hex[:16]}",
            events=["publishFulfillmentPicked"],
        )
        await self.call(
            "wms",
            "packFulfillmentOrder",
            "Pack with SSCC-18 labels",
            params={"fulfillmentOrderId": fo},
            body=self.example("packFulfillmentOrder", "renoCartons"),
            prefer="example=renoCartons",
            idempotency_key=f"pack-{uuid.uuid4().hex[:16]}",
            events=["publishFulfillmentPacked"],
        )

    async def shipping(self) -> None:
        created = await self.call(
            "tms",
            "createShipment",
            "TMS plans the Columbus LTL shipment",
            body=self.example("createShipment", "columbusLtl"),
            idempotency_key=f"shp-{uuid.uuid4().hex[:16]}",
            expected=201,
        )
        shipment = str(created.json().get("shipmentId", "SHP-300981"))
        await self.call(
            "tms",
            "dispatchShipment",
            "Carrier picks up (split shipment 1 of 2)",
            params={"shipmentId": shipment},
            body=self.example("dispatchShipment", "ltlPickup"),
            prefer="example=dispatched",
            events=["publishShipmentDispatched"],
        )
        await self.call(
            "tms",
            "recordShipmentMilestone",
            "Carrier milestone: weather delay",
            params={"shipmentId": shipment},
            body=self.example("recordShipmentMilestone", "weatherException"),
            prefer="example=weatherException",
            idempotency_key=f"ms-{uuid.uuid4().hex[:16]}",
            expected=201,
            events=["publishShipmentException", "publishShipmentInTransit"],
        )
        await self.call(
            "tms",
            "recordShipmentMilestone",
            "Carrier milestone: delivered",
            params={"shipmentId": shipment},
            body=self.example("recordShipmentMilestone", "delivered"),
            prefer="example=delivered",
            idempotency_key=f"ms-{uuid.uuid4().hex[:16]}",
            expected=201,
            events=["publishShipmentDelivered"],
        )

    async def invoicing(self) -> None:
        created = await self.call(
            "erp-finance",
            "createInvoice",
            "ERP drafts the invoice for both shipments",
            body=self.example("createInvoice", "splitShipmentInvoice"),
            idempotency_key=f"inv-{uuid.uuid4().hex[:16]}",
            expected=201,
        )
        invoice = str(created.json().get("invoiceId", "INV-500731"))
        etag = created.headers.get("etag", '"*"')
        await self.call(
            "erp-finance",
            "postInvoice",
            "Post the invoice without If-Match",
            params={"invoiceId": invoice},
            body=self.example("postInvoice", "postToday"),
            expected=400,
            governance="validation",
        )
        await self.call(
            "erp-finance",
            "postInvoice",
            "Post the invoice (If-Match: current ETag)",
            params={"invoiceId": invoice},
            body=self.example("postInvoice", "postToday"),
            prefer="example=issued",
            headers={"if-match": etag},
            events=["publishInvoicePosted"],
        )

    async def throttling(self) -> None:
        """A client bug re-submits in a tight loop: the contract allows 120 submits a minute per client."""
        codes: dict[int, int] = {}
        retry_after = None
        started = time.perf_counter()
        for _ in range(125):
            response = await self.call(
                "b2b-portal",
                "submitSalesOrder",
                "burst",
                params={"orderId": self.ids["orderId"]},
                body=self.example("submitSalesOrder", "withTotalGuard"),
                prefer="example=submitted",
                idempotency_key=f"sub-{uuid.uuid4().hex[:16]}",
                record=False,
            )
            codes[response.status_code] = codes.get(response.status_code, 0) + 1
            if response.status_code == 429:
                retry_after = response.headers.get("retry-after")
                policy = response.headers.get("ratelimit-policy")
        elapsed = (time.perf_counter() - started) * 1000
        throttled = codes.get(429, 0)
        entry = Entry(
            len(self.timeline) + 1,
            "b2b-portal",
            "Buggy client re-submits 125x in a tight loop",
            f"POST /v1/orders/{self.ids['orderId']}/submit",
            429 if throttled else 200,
            429,
            f"{codes.get(200, 0)} admitted, {throttled} x 429 (Retry-After: {retry_after}s, "
            f"RateLimit-Policy: {policy if throttled else '-'})",
            [],
            "rate limit",
            elapsed,
        )
        self.timeline.append(entry)


def _detail(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "")
    if response.status_code >= 400 and "problem+json" in content_type:
        problem = response.json()
        errors = problem.get("errors") or []
        pointers = ", ".join(str(e.get("pointer")) for e in errors[:3] if isinstance(e, dict))
        text = f"{problem.get('title')}: {problem.get('detail', '')}".strip()
        if pointers:
            text += f" [{pointers}]"
        www = response.headers.get("www-authenticate")
        if www and "insufficient_scope" in www:
            text += " (WWW-Authenticate: insufficient_scope)"
        return text
    if "json" in content_type and response.content:
        body = response.json()
        if isinstance(body, dict):
            shown = [
                f"{k}={body[k]}"
                for k in ("status", "decision", "orderId", "trackingNumber", "total")
                if k in body and not isinstance(body[k], (dict, list))
            ]
            return ", ".join(shown[:3])
    return ""
