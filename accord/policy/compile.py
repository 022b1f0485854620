"""Contract -> per-operation :class:`Policy`, compiled once at start-up (pure: no I/O, no clock)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, cast

from accord.contracts import ContractSet
from accord.errors import AccordError, ConfigError
from accord.loader import Document
from accord.loader._pointer import tokens
from accord.model import Location
from accord.policy.model import (
    Lifecycle,
    MediaType,
    Parameter,
    ParamLocation,
    Policy,
    RateLimit,
    RateLimitKey,
    RequestBody,
    ResponseCheck,
    SecurityRequirement,
    SecurityScheme,
)
from accord.policy.validate import SchemaCheck
from accord.spec.openapi import Operation, iter_operations, request_body, responses
from accord.spec.schema import schema_types
from accord.spec.schema_export import Direction, accepts_anything, to_json_schema

RATE_LIMIT_KEY = "x-accord-rate-limit"
IDEMPOTENCY_HEADER = "idempotency-key"
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 §5.6.2 token (a header name)
_PARAM_LOCATIONS = ("path", "query", "header", "cookie")


@dataclass(frozen=True, slots=True)
class CompileOptions:
    """How contracts become policies.

    ``api_key_scopes``: an ``apiKey: []`` requirement names no roles; with ``inherit`` (default)
    an API-key client must hold the scopes the operation's OAuth2 alternative requires, so a
    partner key with ``customers:read`` cannot write; with ``declared`` only listed roles count.
    """

    response_validation: bool = False
    api_key_scopes: Literal["inherit", "declared"] = "inherit"


class PolicyErrors(ConfigError):
    """Every problem found while compiling; ``str()`` shows the first one located."""

    def __init__(self, errors: list[AccordError]) -> None:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first.message + more, first.location)
        self.errors = errors


def compile_contract_set(
    contract_set: ContractSet,
    *,
    domains: Iterable[str] | None = None,
    options: CompileOptions | None = None,
) -> list[Policy]:
    """Policies for every OpenAPI operation of the selected domains; raises :class:`PolicyErrors`."""
    wanted = set(domains) if domains is not None else None
    errors: list[AccordError] = list(contract_set.errors)
    policies: list[Policy] = []
    for contract in contract_set.contracts():
        if wanted is not None and contract.domain not in wanted:
            continue
        if contract.openapi is None:
            continue
        try:
            policies.extend(compile_document(contract.openapi, contract.domain, options))
        except PolicyErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise PolicyErrors(errors)
    return policies


def compile_document(doc: Document, domain: str, options: CompileOptions | None = None) -> list[Policy]:
    """Policies for every operation of one OpenAPI document; raises :class:`PolicyErrors`."""
    return _Compiler(doc, domain, options or CompileOptions()).run()


class _Compiler:
    def __init__(self, doc: Document, domain: str, options: CompileOptions) -> None:
        self.doc = doc
        self.domain = domain
        self.options = options
        self.errors: list[AccordError] = []
        self.openapi30 = doc.major_minor == "3.0"
        self.checks: dict[tuple[int, Direction], SchemaCheck | None] = {}

    def run(self) -> list[Policy]:
        if self.doc.kind != "openapi":
            raise PolicyErrors([ConfigError("not an OpenAPI document", Location(self.doc.display))])
        for problem in self.doc.ref_problems:
            self.errors.append(ConfigError(problem.message, problem.file.location(problem.pointer)))
        if self.errors:
            raise PolicyErrors(self.errors)
        data = self.doc.data
        schemes = self._schemes()
        root_limit = self._rate_limit(data, "", "default")
        policies: list[Policy] = []
        for op in iter_operations(self.doc):
            try:
                policies.append(self._policy(op, schemes, root_limit))
            except AccordError as exc:
                self.errors.append(exc)
        if self.errors:
            raise PolicyErrors(self.errors)
        return policies

    # -- one operation -----------------------------------------------------------------------------
    def _policy(
        self, op: Operation, schemes: dict[str, SecurityScheme], root_limit: RateLimit | None
    ) -> Policy:
        operation_id = op.operation_id or op.key
        location = self.doc.where(op.node)
        own_limit = self._rate_limit(op.node, operation_id, operation_id)
        parameters = tuple(self._parameter(p) for p in op.parameters)
        idempotency = next(
            (p.name for p in parameters if p.location == "header" and p.name.lower() == IDEMPOTENCY_HEADER),
            None,
        )
        return Policy(
            domain=self.domain,
            operation_id=operation_id,
            method=op.method.upper(),
            path=op.path,
            location=location,
            auth=self._security(op, schemes),
            rate_limit=own_limit or root_limit,
            parameters=parameters,
            body=self._body(op.node),
            responses=self._responses(op.node) if self.options.response_validation else (),
            idempotency_header=idempotency,
            lifecycle=self._lifecycle(op.node),
        )

    # -- security ----------------------------------------------------------------------------------
    def _schemes(self) -> dict[str, SecurityScheme]:
        components = self.doc.data.get("components")
        raw = components.get("securitySchemes") if isinstance(components, dict) else None
        found: dict[str, SecurityScheme] = {}
        if not isinstance(raw, dict):
            return found
        for name, node in raw.items():
            if not isinstance(node, dict):
                continue
            kind = str(node.get("type", ""))
            if kind == "apiKey" and node.get("in") not in ("header", "query", "cookie"):
                self.errors.append(
                    ConfigError(
                        f"apiKey scheme {name!r} needs `in`: header, query or cookie", self.doc.where(node)
                    )
                )
                continue
            found[name] = SecurityScheme(
                name=name,
                type=kind,
                scheme=str(node["scheme"]) if "scheme" in node else None,
                location=str(node["in"]) if "in" in node else None,
                parameter=str(node["name"]) if "name" in node else None,
            )
        return found

    def _security(self, op: Operation, schemes: dict[str, SecurityScheme]) -> tuple[SecurityRequirement, ...]:
        declared = op.security(self.doc.data)
        if not declared:
            return ()
        owner = op.node if "security" in op.node else self.doc.data
        where = self.doc.where(owner, "security")
        oauth_scopes: tuple[str, ...] = ()
        for requirement in declared:
            if isinstance(requirement, dict):
                for name, scopes in requirement.items():
                    scheme = schemes.get(name)
                    if scheme is not None and scheme.bearer and scopes:
                        oauth_scopes = tuple(str(s) for s in scopes)
                        break
            if oauth_scopes:
                break
        result: list[SecurityRequirement] = []
        for requirement in declared:
            if not isinstance(requirement, dict):
                raise ConfigError("a security requirement must be a mapping", where)
            entries: list[tuple[SecurityScheme, tuple[str, ...]]] = []
            for name, scopes in requirement.items():
                scheme = schemes.get(name)
                if scheme is None:
                    raise ConfigError(f"security scheme {name!r} is not defined in components", where)
                if scheme.type not in ("apiKey", "http", "oauth2", "openIdConnect", "mutualTLS"):
                    raise ConfigError(
                        f"security scheme type {scheme.type!r} is not enforced by the gateway", where
                    )
                if scheme.type == "http" and not scheme.bearer:
                    raise ConfigError(f"http scheme {scheme.scheme!r} is not supported (only bearer)", where)
                wanted = tuple(str(s) for s in scopes) if isinstance(scopes, list) else ()
                client_identity = scheme.api_key or scheme.type == "mutualTLS"  # scopes come from config
                if client_identity and not wanted and self.options.api_key_scopes == "inherit":
                    wanted = oauth_scopes
                entries.append((scheme, wanted))
            result.append(SecurityRequirement(tuple(entries)))
        return tuple(result)

    # -- rate limit --------------------------------------------------------------------------------
    def _rate_limit(self, owner: dict[str, Any], scope: str, name: str) -> RateLimit | None:
        raw = owner.get(RATE_LIMIT_KEY)
        if raw is None:
            return None
        where = self.doc.where(owner, RATE_LIMIT_KEY)
        if not isinstance(raw, dict):
            raise ConfigError(f"{RATE_LIMIT_KEY} must be a mapping {{limit, window, key}}", where)
        unknown = set(raw) - {"limit", "window", "key"}
        if unknown:
            raise ConfigError(f"{RATE_LIMIT_KEY} has unknown field(s): {', '.join(sorted(unknown))}", where)
        limit, window, key = raw.get("limit"), raw.get("window", 60), raw.get("key", "client")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ConfigError(
                f"{RATE_LIMIT_KEY}.limit must be a positive integer", self.doc.where(raw, "limit")
            )
        if isinstance(window, bool) or not isinstance(window, (int, float)) or window <= 0:
            raise ConfigError(
                f"{RATE_LIMIT_KEY}.window must be a positive number of seconds", self.doc.where(raw, "window")
            )
        header: str | None = None
        kind: str = key if isinstance(key, str) else ""
        if kind.startswith("header:"):
            header = kind.split(":", 1)[1].strip()
            kind = "header"
            if not _TOKEN.match(header):
                raise ConfigError(
                    f"{RATE_LIMIT_KEY}.key names an invalid header {header!r}", self.doc.where(raw, "key")
                )
        if kind not in ("client", "ip", "header"):
            raise ConfigError(
                f"{RATE_LIMIT_KEY}.key must be client, ip or header:<Name>, not {key!r}",
                self.doc.where(raw, "key"),
            )
        return RateLimit(
            limit=limit,
            window=float(window),
            key=cast(RateLimitKey, kind),
            header=header.lower() if header else None,
            scope=f"{self.domain}:{scope}" if scope else self.domain,
            name=name,
            location=where,
        )

    # -- parameters and bodies ---------------------------------------------------------------------
    def _parameter(self, node: dict[str, Any]) -> Parameter:
        name, where = node.get("name"), node.get("in")
        if not isinstance(name, str) or where not in _PARAM_LOCATIONS:
            raise ConfigError(
                "a parameter needs `name` and `in` (path, query, header or cookie)", self.doc.where(node)
            )
        schema = node.get("schema")
        types = schema_types(schema) - {"null"}
        json_type = next(iter(types)) if len(types) == 1 else None
        # Object-valued parameters (deepObject, form objects) are passed through unvalidated.
        wanted = isinstance(schema, dict) and json_type != "object"
        check = self._check(cast(dict[str, Any], schema), "request") if wanted else None
        item_type = None
        if json_type == "array" and isinstance(schema, dict):
            item_types = schema_types(schema.get("items")) - {"null"}
            item_type = next(iter(item_types)) if len(item_types) == 1 else None
        default_style = {"query": "form", "cookie": "form"}.get(where, "simple")
        style = str(node.get("style", default_style))
        explode = node.get("explode", style == "form")
        return Parameter(
            name=name,
            location=cast(ParamLocation, where),
            required=bool(node.get("required", False)) or where == "path",
            check=check,
            type=json_type,
            item_type=item_type,
            explode=bool(explode),
            style=style,
        )

    def _media(self, content: Any, direction: Direction) -> tuple[MediaType, ...]:
        if not isinstance(content, dict):
            return ()
        found: list[MediaType] = []
        for media_type, media in content.items():
            essence = str(media_type).split(";", 1)[0].strip().lower()
            is_json = essence == "application/json" or essence.endswith("+json")
            schema = media.get("schema") if isinstance(media, dict) else None
            check = self._check(schema, direction) if is_json and isinstance(schema, dict) else None
            found.append(MediaType(essence, is_json, check))
        return tuple(found)

    def _body(self, op: dict[str, Any]) -> RequestBody | None:
        body = request_body(op)
        if body is None:
            return None
        return RequestBody(bool(body.get("required", False)), self._media(body.get("content"), "request"))

    def _responses(self, op: dict[str, Any]) -> tuple[ResponseCheck, ...]:
        return tuple(
            ResponseCheck(status, self._media(response.get("content"), "response"))
            for status, response in responses(op).items()
        )

    def _check(self, schema: dict[str, Any], direction: Direction) -> SchemaCheck | None:
        cache_key = (id(schema), direction)
        if cache_key in self.checks:
            return self.checks[cache_key]
        exported = to_json_schema(
            schema, openapi30=self.openapi30, direction=direction, name_of=self._schema_name
        )
        check: SchemaCheck | None = None
        if not accepts_anything(exported):
            try:
                check = SchemaCheck(exported)
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"schema cannot be compiled: {exc}", self.doc.where(schema)) from None
        self.checks[cache_key] = check
        return check

    def _schema_name(self, node: dict[str, Any]) -> str | None:
        written = self.doc.written_at(node)
        if written is None:
            return None
        parts = tokens(written[1])
        return parts[-1] if parts else None

    # -- lifecycle ---------------------------------------------------------------------------------
    def _lifecycle(self, op: dict[str, Any]) -> Lifecycle:
        deprecated = op.get("deprecated") is True
        sunset = self._date(op, "x-sunset")
        if not deprecated and sunset is None:
            return Lifecycle()
        link = op.get("x-deprecation-link")
        docs = op.get("externalDocs")
        if not isinstance(link, str) and isinstance(docs, dict) and isinstance(docs.get("url"), str):
            link = docs["url"]
        return Lifecycle(
            deprecated=deprecated,
            deprecated_at=self._date(op, "x-deprecated-at"),
            sunset=sunset,
            link=link if isinstance(link, str) else None,
        )

    def _date(self, owner: dict[str, Any], key: str) -> datetime | None:
        value = owner.get(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        if isinstance(value, str):
            text = value.strip()
            try:
                if len(text) == 10:
                    day = date.fromisoformat(text)
                    return datetime(day.year, day.month, day.day, tzinfo=UTC)
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        raise ConfigError(
            f"{key} must be an RFC 3339 date or date-time, not {value!r}", self.doc.where(owner, key)
        )
