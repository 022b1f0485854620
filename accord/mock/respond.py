"""Answer one request from a :class:`~accord.mock.plan.MockPlan`: validate, pick a response, or
serve it from the stateful store. Pure and synchronous: timing faults (latency, timeouts, resets)
are the server's business; this module only says which fault was asked for.

``Prefer`` follows Prism: ``Prefer: code=404``, ``Prefer: example=<name>``, ``Prefer: dynamic=true``,
plus ``Prefer: fault=timeout|reset|500|503``. Several preferences may be given, comma separated.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote

import jsonschema_rs
import orjson

from accord.mock.fake import Faker, merge_all_of
from accord.mock.plan import MockOperation, MockPlan, MockReply, ParamSpec
from accord.mock.store import Store, decode_cursor, etag_matches, merge_patch
from accord.spec.schema_export import to_json_schema

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://accord.dev/problems/"
_INT = re.compile(r"-?\d+")
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")
_CODE = re.compile(r"(?<!^)(?=[A-Z])")
MAX_ERRORS = 50


@dataclass(slots=True)
class MockRequest:
    """What the server read from the wire. Header names are lower case."""

    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(slots=True)
class Answer:
    """What to send: status, headers, body; or a ``fault`` (``timeout``/``reset``) to act out."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fault: str | None = None
    #: Wire form of ``headers`` (with content-length), filled once by the server for cached answers.
    raw_headers: list[tuple[bytes, bytes]] | None = None


@dataclass(slots=True)
class Prefer:
    code: int | None = None
    example: str | None = None
    fault: str | None = None
    dynamic: bool = False


_NO_PREFERENCE = Prefer()


def parse_prefer(value: str | None) -> Prefer:
    """RFC 7240 ``Prefer`` preferences understood by the mock (unknown ones are ignored)."""
    if not value:
        return _NO_PREFERENCE
    prefer = Prefer()
    for part in re.split(r"[,;]", value):
        name, _, raw = part.strip().partition("=")
        token = raw.strip().strip('"')
        key = name.strip().lower()
        if key == "code" and token.isdigit():
            prefer.code = int(token)
        elif key == "example" and token:
            prefer.example = token
        elif key == "fault" and token:
            prefer.fault = token.lower()
        elif key == "dynamic":
            prefer.dynamic = token.lower() in ("true", "1", "")
    return prefer


@dataclass(slots=True)
class Parsed:
    """A request that passed validation: typed path, query and body values."""

    path: dict[str, Any]
    query: dict[str, Any]
    body: Any


class Responder:
    """Serves a plan. ``stateful`` keeps an in-memory :class:`Store` per domain."""

    def __init__(
        self, plan: MockPlan, *, stateful: bool = False, validate: bool = True, seed: int = 0
    ) -> None:
        self.plan = plan
        self.stateful = stateful
        self.stores: dict[str, Store] = {}
        self.validate = validate
        self.faker = Faker(seed)
        self._validators: dict[int, Any] = {}
        self._cached: dict[tuple[int, int, str | None], Answer] = {}
        self._creatable = {
            op.resource.collection for op in plan.operations if op.resource and op.resource.action == "create"
        }

    # -- entry point ------------------------------------------------------------------------------
    def handle(self, request: MockRequest, now: str = "2025-01-01T00:00:00Z") -> Answer:
        op, path_values, known = self.plan.match(request.method, request.path)
        if op is None:
            status, title = (405, "Method not allowed") if known else (404, "No such operation")
            detail = f"{request.method} {request.path} is not an operation of the served contracts"
            return self.problem(None, status, title, detail, request)
        prefer = parse_prefer(request.headers.get("prefer"))
        if prefer.fault:
            fault = self._fault(op, prefer.fault, request)
            if fault is not None:
                return fault
        parsed = Parsed(dict(path_values), {}, None)
        if self.validate or (self.stateful and op.resource is not None):
            errors, parsed = self.parse(op, request, path_values)
            if errors and self.validate:
                return self.problem(
                    op,
                    op.invalid_status,
                    "Request validation failed",
                    "The request does not conform to the contract.",
                    request,
                    errors=errors,
                )
        if self.stateful and op.resource is not None and prefer.code is None and prefer.example is None:
            return self._stateful(op, request, parsed, now)
        return self.example(op, request, prefer)

    # -- stateless --------------------------------------------------------------------------------
    def example(self, op: MockOperation, request: MockRequest, prefer: Prefer) -> Answer:
        """The documented response asked for (``Prefer``), else the first example of the first 2xx.

        Example answers are built once and shared (callers must not mutate them).
        """
        status = prefer.code if prefer.code is not None else op.default_status
        key = (id(op), status, prefer.example)
        cached = self._cached.get(key)
        if cached is not None and not prefer.dynamic:
            return cached
        answer = self._example(op, request, prefer, status)
        if answer.status == status and not prefer.dynamic:
            self._cached[key] = answer
        return answer

    def _example(self, op: MockOperation, request: MockRequest, prefer: Prefer, status: int) -> Answer:
        reply = op.reply(status)
        if reply is None:
            return self.problem(
                op, 404, "No such response", f"{op.operation_id} documents no {status} response", request
            )
        headers = [*reply.headers]
        if reply.media_type is None:
            return Answer(status, headers, b"")
        if prefer.dynamic and reply.schema is not None:
            body = orjson.dumps(self.faker.value(reply.schema))
        else:
            example = reply.example(prefer.example)
            if example is None and prefer.example is not None:
                example = self._example_anywhere(op, prefer.example)
            if example is None:
                return self.problem(
                    op,
                    404,
                    "No such example",
                    f"{op.operation_id} has no example named {prefer.example!r}",
                    request,
                )
            body = example.body
        headers.append(("content-type", reply.media_type))
        return Answer(status, headers, body)

    def _example_anywhere(self, op: MockOperation, name: str) -> Any:
        for reply in op.replies.values():
            found = reply.examples.get(name)
            if found is not None:
                return found
        return None

    def _fault(self, op: MockOperation, fault: str, request: MockRequest) -> Answer | None:
        if fault in ("timeout", "reset"):
            return Answer(0, [], b"", fault=fault)
        if fault == "500":
            return self.problem(
                op, 500, "Internal server error", "Fault injected by Prefer: fault=500", request
            )
        if fault == "503":
            return self.unavailable(op, request, "Fault injected by Prefer: fault=503")
        return None

    def unavailable(self, op: MockOperation | None, request: MockRequest, detail: str) -> Answer:
        """503 problem with ``Retry-After`` (RFC 9110 §10.2.3)."""
        answer = self.problem(op, 503, "Service unavailable", detail, request)
        if not any(name.lower() == "retry-after" for name, _ in answer.headers):
            answer.headers.append(("retry-after", "1"))
        return answer

    # -- validation -------------------------------------------------------------------------------
    def parse(
        self, op: MockOperation, request: MockRequest, path_values: dict[str, str]
    ) -> tuple[list[dict[str, str]], Parsed]:
        """Validate parameters and body; return the errors (each with a JSON pointer) and typed values."""
        errors: list[dict[str, str]] = []
        parsed = Parsed({}, {}, None)
        query: dict[str, list[str]] = {}
        if request.query:
            for name, value in parse_qsl(request.query, keep_blank_values=True):
                query.setdefault(name, []).append(value)
        for param in op.params:
            if param.location == "path":
                raw: Any = path_values.get(param.name)
                if raw is None:
                    raw = (
                        path_values.get(f"p{op.path_params.index(param.name)}")
                        if param.name in op.path_params
                        else None
                    )
            elif param.location == "query":
                values = query.get(param.name)
                raw = (values if param.kind == "array" else values[0]) if values else None
            elif param.location == "header":
                raw = request.headers.get(param.key)
            else:
                continue
            pointer = f"/{param.location}/{param.name}"
            if raw is None:
                if param.required:
                    errors.append(
                        {
                            "pointer": pointer,
                            "detail": f"{param.location} parameter {param.name} is required",
                            "code": "required",
                        }
                    )
                continue
            value = _coerce(raw, param)
            if param.validator is not None:
                for error in param.validator.iter_errors(value):
                    errors.append(_error(pointer, error))
            (parsed.path if param.location == "path" else parsed.query)[param.name] = value
        if op.body_media_types:
            self._parse_body(op, request, errors, parsed)
        return errors[:MAX_ERRORS], parsed

    def _parse_body(
        self, op: MockOperation, request: MockRequest, errors: list[dict[str, str]], parsed: Parsed
    ) -> None:
        if not request.body:
            if op.body_required:
                errors.append({"pointer": "", "detail": "a request body is required", "code": "required"})
            return
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type and content_type not in op.body_media_types:
            errors.append(
                {
                    "pointer": "/header/Content-Type",
                    "detail": f"content type {content_type} is not one of {', '.join(op.body_media_types)}",
                    "code": "unsupported_media_type",
                }
            )
            return
        if op.body_schema is None:
            return
        try:
            value = orjson.loads(request.body)
        except orjson.JSONDecodeError as exc:
            errors.append(
                {"pointer": "", "detail": f"the body is not valid JSON: {exc}"[:1000], "code": "invalid_json"}
            )
            return
        if op.body_validator is not None:
            for error in op.body_validator.iter_errors(value):
                errors.append(_error("", error))
                if len(errors) >= MAX_ERRORS:
                    break
        parsed.body = value

    # -- problems ---------------------------------------------------------------------------------
    def problem(
        self,
        op: MockOperation | None,
        status: int,
        title: str,
        detail: str,
        request: MockRequest,
        *,
        errors: list[dict[str, str]] | None = None,
    ) -> Answer:
        """An RFC 9457 problem shaped like the operation's documented example for ``status``."""
        reply = op.reply(status) if op is not None else None
        base: dict[str, Any] = {}
        if reply is not None:
            example = reply.example()
            if example is not None and isinstance(example.value, dict):
                base = copy.deepcopy(example.value)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        base.update(
            {
                "type": PROBLEM_BASE + slug,
                "title": title,
                "status": status,
                "detail": detail[:1000],
                # RFC 9457 §3.1.5: a URI reference, so the path as it travels (percent-encoded).
                "instance": quote(request.path, safe="/:@!$&'()*+,;=-._~"),
            }
        )
        trace = _TRACEPARENT.fullmatch(request.headers.get("traceparent", ""))
        if trace is not None:
            base["traceId"] = trace.group(1)
        else:
            base.pop("traceId", None)
        if errors:
            base["errors"] = [{k: v[:512] if k == "pointer" else v for k, v in e.items()} for e in errors]
        else:
            base.pop("errors", None)
        headers = [*reply.headers] if reply is not None else []
        media = reply.media_type if reply is not None and reply.media_type else PROBLEM_JSON
        headers.append(("content-type", media))
        return Answer(status, headers, orjson.dumps(base))

    # -- stateful ---------------------------------------------------------------------------------
    def store(self, domain: str) -> Store:
        """The store of ``domain`` (created on first use)."""
        found = self.stores.get(domain)
        if found is None:
            found = self.stores[domain] = Store()
        return found

    def _stateful(self, op: MockOperation, request: MockRequest, parsed: Parsed, now: str) -> Answer:
        resource = op.resource
        store = self.store(op.domain)
        assert resource is not None
        parents = tuple(str(parsed.path.get(p, "")) for p in resource.parent_params)
        if not self._parent_exists(op, parents):
            return self.problem(
                op, 404, "Resource not found", f"{_parent_path(request.path, op)} does not exist", request
            )
        if resource.action == "create":
            return self._create(op, request, parsed, parents, now)
        if resource.action == "list":
            return self._list(op, request, parsed, parents)
        key = str(parsed.path.get(resource.id_param or "", ""))
        record = store.get(resource.collection, parents, key)
        if record is None:
            return self.problem(
                op, 404, "Resource not found", f"no resource {key} at {request.path}", request
            )
        if resource.action == "read":
            return self._json(op, op.default_status, record.value, [("etag", record.etag)])
        if resource.action in ("update", "delete"):
            stale = self._stale(op, request, record.etag)
            if stale is not None:
                return stale
        if resource.action == "update":
            patched = (
                merge_patch(record.value, parsed.body)
                if op.method == "PATCH"
                else self._overlay(op, record.value, parsed.body)
            )
            patched[resource.id_param or ""] = record.value.get(resource.id_param or "", key)
            if "updatedAt" in patched:
                patched["updatedAt"] = now
            validator = self._validator(op, op.reply(op.default_status))
            if validator is not None and not validator.is_valid(patched):
                errors = [_error("", e) for e in list(validator.iter_errors(patched))[:MAX_ERRORS]]
                return self.problem(
                    op,
                    op.invalid_status,
                    "Invalid update",
                    "The patched representation would not conform to the contract.",
                    request,
                    errors=errors,
                )
            saved = store.put(resource.collection, parents, key, patched)
            return self._json(op, op.default_status, saved.value, [("etag", saved.etag)])
        if resource.action == "delete":
            store.delete(resource.collection, parents, key)
            return self.example(op, request, Prefer())
        return self.example(op, request, Prefer())  # a domain action on an existing resource

    def _stale(self, op: MockOperation, request: MockRequest, etag: str) -> Answer | None:
        """412 when the request's If-Match names another representation (RFC 9110 §13.1.1)."""
        if_match = request.headers.get("if-match")
        if if_match is None or etag_matches(if_match, etag):
            return None
        return self.problem(
            op,
            412,
            "Precondition failed",
            "The If-Match ETag does not match the current representation.",
            request,
        )

    def _parent_exists(self, op: MockOperation, parents: tuple[str, ...]) -> bool:
        resource = op.resource
        assert resource is not None
        if not parents:
            return True
        parent_collection = resource.collection.rsplit("/", 1)[0]
        parent_collection = parent_collection.rsplit("/", 1)[0] if parent_collection.endswith("}") else ""
        if parent_collection not in self._creatable:
            return True  # the parent cannot be created through the mock: do not require it
        return self.store(op.domain).get(parent_collection, parents[:-1], parents[-1]) is not None

    def _create(
        self, op: MockOperation, request: MockRequest, parsed: Parsed, parents: tuple[str, ...], now: str
    ) -> Answer:
        resource = op.resource
        store = self.store(op.domain)
        assert resource is not None
        idempotency_key = request.headers.get("idempotency-key")
        if idempotency_key:
            existing_id = store.idempotent(resource.collection, parents, idempotency_key)
            existing = store.get(resource.collection, parents, existing_id) if existing_id else None
            if existing is not None and existing_id is not None:
                return self._json(
                    op,
                    op.default_status,
                    existing.value,
                    [("location", f"{request.path}/{quote(existing_id)}"), ("etag", existing.etag)],
                )
        reply = op.reply(op.default_status)
        template: Any = reply.example().value if reply is not None and reply.example() is not None else None  # type: ignore[union-attr]
        if not isinstance(template, dict):
            template = self.faker.value(reply.schema) if reply is not None else {}
        if reply is not None and isinstance(reply.schema, dict):
            # Keep only what the representation requires from the example; the request supplies the rest.
            required = set(merge_all_of(reply.schema).get("required") or [])
            template = {k: v for k, v in template.items() if k in required}
        value = self._overlay(op, template, parsed.body)
        new_id = self._new_id(store, resource.collection, parents, resource.id_schema)
        if resource.id_param:
            value[resource.id_param] = new_id
        for name, parent in zip(resource.parent_params, parents, strict=True):
            if name in value:
                value[name] = parent
        for stamp in ("createdAt", "updatedAt"):
            if stamp in value:
                value[stamp] = now
        record = store.put(resource.collection, parents, new_id, value)
        if idempotency_key:
            store.remember(resource.collection, parents, idempotency_key, new_id)
        return self._json(
            op,
            op.default_status,
            record.value,
            [("location", f"{request.path.rstrip('/')}/{quote(new_id)}"), ("etag", record.etag)],
        )

    def _overlay(self, op: MockOperation, template: dict[str, Any], body: Any) -> dict[str, Any]:
        """``template`` with each top-level field of ``body`` that keeps it valid against the response."""
        value: dict[str, Any] = copy.deepcopy(template)
        if not isinstance(body, dict):
            return value
        validator = self._validator(op, op.reply(op.default_status))
        for name, field_value in body.items():
            candidate = {**value, name: field_value}
            if validator is None or validator.is_valid(candidate):
                value = candidate
        return value

    def _new_id(self, store: Store, collection: str, parents: tuple[str, ...], id_schema: Any) -> str:
        taken = store.collection(collection, parents)
        for _ in range(50):
            candidate = str(self.faker.value(id_schema, "id")) if isinstance(id_schema, dict) else ""
            if candidate and candidate not in taken:
                return candidate
        return f"{len(taken) + 1:06d}"

    def _list(
        self, op: MockOperation, request: MockRequest, parsed: Parsed, parents: tuple[str, ...]
    ) -> Answer:
        resource = op.resource
        assert resource is not None
        reply = op.reply(op.default_status)
        template = reply.example().value if reply is not None and reply.example() is not None else None  # type: ignore[union-attr]
        if not isinstance(template, dict) or "items" not in template:
            return self.example(op, request, Prefer())
        limit = parsed.query.get("limit")
        if not isinstance(limit, int):
            limit = next(
                (
                    p.schema.get("default", 25)
                    for p in op.params
                    if p.name == "limit" and isinstance(p.schema, dict)
                ),
                25,
            )
        cursor = parsed.query.get("cursor")
        offset = 0
        if isinstance(cursor, str) and cursor:
            decoded = decode_cursor(cursor)
            if decoded is None:
                return self.problem(
                    op,
                    op.invalid_status,
                    "Request validation failed",
                    "unknown cursor",
                    request,
                    errors=[
                        {
                            "pointer": "/query/cursor",
                            "detail": "not a cursor of this server",
                            "code": "invalid_cursor",
                        }
                    ],
                )
            offset = decoded
        items, next_cursor = self.store(op.domain).page(resource.collection, parents, offset, int(limit))
        body = {**template, "items": items, "nextCursor": next_cursor}
        return self._json(op, op.default_status, body, [])

    def _json(self, op: MockOperation, status: int, value: Any, extra: list[tuple[str, str]]) -> Answer:
        reply = op.reply(status)
        names = {name.lower() for name, _ in extra}
        headers = [(n, v) for n, v in (reply.headers if reply else []) if n.lower() not in names]
        headers.extend(extra)
        headers.append(
            ("content-type", reply.media_type if reply and reply.media_type else "application/json")
        )
        return Answer(status, headers, orjson.dumps(value))

    def _validator(self, op: MockOperation, reply: MockReply | None) -> Any:
        """The validator of a response body (writeOnly properties are not required in it)."""
        if reply is None or not isinstance(reply.schema, dict):
            return None
        cached = self._validators.get(id(reply))
        if cached is None:
            exported = to_json_schema(reply.schema, openapi30=op.openapi30, direction="response")
            cached = jsonschema_rs.Draft202012Validator(exported, validate_formats=True)
            self._validators[id(reply)] = cached
        return cached


def _parent_path(path: str, op: MockOperation) -> str:
    depth = op.resource.collection.count("/") if op.resource else path.count("/")
    return "/".join(path.split("/")[:depth]) or "/"


def _coerce(raw: Any, param: ParamSpec) -> Any:
    """Query, path and header values are text: read them as the JSON type their schema declares."""
    if param.kind == "array":
        values = raw if isinstance(raw, list) else [raw]
        if len(values) == 1 and isinstance(values[0], str) and "," in values[0]:
            values = values[0].split(",")
        return [_scalar(v, param.item_kind) for v in values]
    return _scalar(raw, param.kind)


def _scalar(raw: Any, kind: str) -> Any:
    if not isinstance(raw, str):
        return raw
    if kind == "integer" and _INT.fullmatch(raw):
        return int(raw)
    if kind == "number":
        try:
            return float(raw) if not _INT.fullmatch(raw) else int(raw)
        except ValueError:
            return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _error(prefix: str, error: Any) -> dict[str, str]:
    path = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.instance_path)
    code = _CODE.sub("_", type(error.kind).__name__).lower()
    return {
        "pointer": (prefix + path)[:512],
        "detail": str(error.message)[:1000],
        "code": code[:64] or "invalid",
    }
