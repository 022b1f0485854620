"""Security: every operation is secured by declared schemes and scopes, over TLS, with no secrets in URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from accord.lint._http_helpers import (
    PUBLIC_KEY,
    allows_anonymous,
    at,
    documents,
    is_secured,
    operations,
    parameters,
    requirements,
    responses_of,
    root,
    security_schemes,
)
from accord.lint.registry import BOTH, OPENAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Severity
from accord.spec import HTTP_METHODS, iter_async_operations, iter_channels

# Query parameter names that carry a credential, compared after lower-casing and dropping `-`/`_`.
CREDENTIAL_NAMES = frozenset(
    {
        "apikey",
        "apisecret",
        "token",
        "accesstoken",
        "authtoken",
        "idtoken",
        "refreshtoken",
        "password",
        "passwd",
        "secret",
        "clientsecret",
    }
)
_FLOW_URLS = ("authorizationUrl", "tokenUrl", "refreshUrl")
_INSECURE_ASYNC_PROTOCOLS = frozenset({"http", "ws"})
_SCOPE_ACCESS = re.compile(r"^[^:\s]+:(read|write)$")
_SAFE_METHODS = frozenset({"get", "head", "options", "trace"})  # RFC 9110 §9.2.1


def _is_v2(doc: Document) -> bool:
    return doc.kind == "asyncapi" and doc.version.startswith("2.")


def _requirement_sites(doc: Document) -> Iterator[tuple[str, list[Any]]]:
    """(label, security list) of every place requirement objects are written, each list once.

    OpenAPI: the document and every operation. AsyncAPI 2.x: servers and operations (3.0 lists
    Security Scheme Objects instead of requirements, judged separately).
    """
    data = root(doc)
    seen: set[int] = set()

    def fresh(value: Any) -> bool:
        if not isinstance(value, list) or id(value) in seen:
            return False
        seen.add(id(value))
        return True

    if doc.kind == OPENAPI:
        if fresh(data.get("security")):
            yield "document", data["security"]
        for op in operations(doc):
            if fresh(op.node.get("security")):
                yield op.key, op.node["security"]
    elif _is_v2(doc):
        servers = data.get("servers")
        if isinstance(servers, dict):
            for name, server in servers.items():
                if isinstance(server, dict) and fresh(server.get("security")):
                    yield f"server {name}", server["security"]
        for aop in iter_async_operations(doc):
            if fresh(aop.node.get("security")):
                yield aop.key, aop.node["security"]


def _declared_scopes(scheme: Any) -> dict[str, list[dict[str, Any]]]:
    """OAuth2 scope -> the scope maps (one per flow) declaring it. Empty for other scheme types."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not isinstance(scheme, dict) or scheme.get("type") != "oauth2":
        return found
    flows = scheme.get("flows")
    if not isinstance(flows, dict):
        return found
    for flow in flows.values():
        if not isinstance(flow, dict):
            continue
        for key in ("scopes", "availableScopes"):  # OpenAPI / AsyncAPI 2.x; AsyncAPI 3.0
            scopes = flow.get(key)
            if isinstance(scopes, dict):
                for scope in scopes:
                    found.setdefault(str(scope), []).append(scopes)
    return found


@rule(
    "operation-security",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="security",
    summary="Every operation requires credentials, unless it is explicitly marked `x-accord-public: true`.",
    rationale="""
An operation without `security` — neither its own nor the document's — is open to anyone, usually
by omission. Public access must be a decision: an empty `security: []`, or a requirement list with
an empty alternative `{}` (which makes authentication optional, OpenAPI 3.1 §4.8.10), is accepted
only on an operation marked `x-accord-public: true`. Conversely, `x-accord-public: true` on an
operation that requires credentials is contradictory and reported too.
""",
    good="""
security:
- oauth2: [orders:read]
paths:
  /v1/orders:
    get: {}
""",
    bad="""
paths:
  /v1/orders:
    get:
      security: []
""",
)
def operation_security(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    data = root(doc)
    for op in operations(doc):
        own = "security" in op.node
        value = op.security(data)
        public = op.node.get(PUBLIC_KEY) is True
        if value is None:
            if own:
                yield Violation(doc.where(op.node, "security"), f"{op.key}: `security` is not a list")
            else:
                yield Violation(
                    doc.where(op.node),
                    f"{op.key} declares no security (neither the operation nor the document does)",
                    "add `security:` with the scheme and scope it requires",
                )
        elif allows_anonymous(value):
            if not public:
                inherited = "" if own else " (inherited from the document)"
                yield Violation(
                    at(doc, op.node, "security"),
                    f"{op.key} allows anonymous access{inherited} without `{PUBLIC_KEY}: true`",
                    f"require credentials, or mark the operation `{PUBLIC_KEY}: true` if it is public",
                )
        elif public:
            yield Violation(
                doc.where(op.node, PUBLIC_KEY),
                f"{op.key} is marked `{PUBLIC_KEY}: true` but requires credentials",
                "drop the marker or the security requirement",
            )


@rule(
    "security-schemes-defined",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="security",
    summary="Every security requirement names a scheme declared in `components.securitySchemes`.",
    rationale="""
A security requirement refers to a scheme by name (OpenAPI 3.1 §4.8.30, AsyncAPI 2.6 Security
Requirement Object). An undeclared name cannot be enforced by the gateway nor understood by
clients and code generators; it is usually a typo or a scheme removed from `components`.
AsyncAPI 3.0 references schemes with `$ref`, which the loader resolves and reports itself.
""",
    good="""
security:
- oauth2: [orders:read]
components:
  securitySchemes:
    oauth2: {type: oauth2, flows: {}}
""",
    bad="""
security:
- oauth: [orders:read]
components:
  securitySchemes:
    oauth2: {type: oauth2, flows: {}}
""",
)
def security_schemes_defined(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    schemes = security_schemes(doc)
    for label, value in _requirement_sites(doc):
        for requirement in requirements(value):
            for name in requirement:
                if name not in schemes:
                    yield Violation(
                        doc.where(requirement, name),
                        f"{label}: security scheme `{name}` is not declared in components.securitySchemes",
                    )


@rule(
    "security-scopes-defined",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="security",
    summary="Every OAuth2 scope an operation requires is declared by the scheme's flows.",
    rationale="""
The scopes a requirement lists must exist in the OAuth2 scheme's flows (OpenAPI 3.1 §4.8.29, the
`scopes` map of each OAuth Flow Object; AsyncAPI 3.0 `availableScopes`): the identity provider
cannot issue an undeclared scope, so an operation requiring one can never be called.
""",
    good="""
security:
- oauth2: [orders:read]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.example.com/token
          scopes: {orders:read: Read orders.}
""",
    bad="""
security:
- oauth2: [order:read]
""",
)
def security_scopes_defined(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    schemes = security_schemes(doc)
    declared = {name: _declared_scopes(scheme) for name, scheme in schemes.items()}
    for label, value in _requirement_sites(doc):
        for requirement in requirements(value):
            for name, scopes in requirement.items():
                scheme = schemes.get(name)
                if (
                    not isinstance(scheme, dict)
                    or scheme.get("type") != "oauth2"
                    or not isinstance(scopes, list)
                ):
                    continue
                for index, scope in enumerate(scopes):
                    if str(scope) not in declared[name]:
                        yield Violation(
                            doc.where(scopes, index),
                            f"{label}: scope `{scope}` is not declared by the `{name}` scheme's flows",
                        )
    if doc.kind == "asyncapi" and not _is_v2(doc):
        # AsyncAPI 3.0: a scheme object lists the scopes it requires next to its flows.
        for scheme in schemes.values():
            if not isinstance(scheme, dict) or scheme.get("type") != "oauth2":
                continue
            required = scheme.get("scopes")
            if not isinstance(required, list):
                continue
            available = _declared_scopes(scheme)
            for index, scope in enumerate(required):
                if str(scope) not in available:
                    yield Violation(
                        doc.where(required, index),
                        f"scope `{scope}` is not in the `availableScopes` of the scheme's flows",
                    )


@rule(
    "security-scopes-used",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="security",
    summary="Every OAuth2 scope a scheme declares is required by at least one operation.",
    rationale="""
A declared scope that no operation requires grants nothing, yet clients request it and identity
administrators assign it. It is usually left over from a removed operation or a typo on the
operations' side. Each unused scope is reported where its flow declares it.
""",
    good="""
paths:
  /v1/orders:
    get:
      security: [{oauth2: [orders:read]}]
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: https://auth.example.com/token, scopes: {orders:read: Read.}}}
""",
    bad="""
components:
  securitySchemes:
    oauth2:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: https://auth.example.com/token, scopes: {orders:admin: Admin.}}}
""",
)
def security_scopes_used(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    schemes = security_schemes(doc)
    declared = {name: _declared_scopes(scheme) for name, scheme in schemes.items()}
    if not any(declared.values()):
        return
    data = root(doc)
    used: set[tuple[str, str]] = set()
    seen: set[int] = set()
    any_operation = False
    for op in operations(doc):
        any_operation = True
        value = op.security(data)
        if not isinstance(value, list) or id(value) in seen:
            continue
        seen.add(id(value))
        for requirement in requirements(value):
            for name, scopes in requirement.items():
                if isinstance(scopes, list):
                    used.update((name, str(scope)) for scope in scopes)
    if not any_operation:
        return  # a components-only fragment: its scopes are used elsewhere
    for name, scopes in declared.items():
        for scope, maps in scopes.items():
            if (name, scope) not in used:
                for scope_map in maps:
                    yield Violation(
                        doc.where(scope_map, scope),
                        f"scope `{scope}` of scheme `{name}` is not required by any operation",
                        "remove it, or require it where it is needed",
                    )


def _normalised(name: Any) -> str:
    return str(name).lower().replace("-", "").replace("_", "")


@rule(
    "no-credentials-in-query",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="security",
    summary="Credentials travel in headers, never in the query string.",
    rationale="""
URLs are written to access logs, proxies, browser history and `Referer` headers, so a credential in
the query string leaks (RFC 6750 §5.3, OWASP API Security). API keys belong in a header
(`in: header`), tokens in `Authorization`. Reported: `apiKey` (AsyncAPI `httpApiKey`) schemes with
`in: query`, and query parameters named like credentials (`api_key`, `apikey`, `token`,
`access_token`, `password`, `secret`, ... compared without case, `-` or `_`). Option
`extra_names`: more parameter names to treat as credentials.
""",
    good="""
apiKey:
  type: apiKey
  in: header
  name: X-API-Key
""",
    bad="""
apiKey:
  type: apiKey
  in: query
  name: api_key
""",
)
def no_credentials_in_query(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for name, scheme in security_schemes(doc).items():
        if (
            isinstance(scheme, dict)
            and scheme.get("type") in ("apiKey", "httpApiKey")
            and scheme.get("in") == "query"
        ):
            yield Violation(
                doc.where(scheme, "in"),
                f"security scheme `{name}` sends its key in the query string",
                "use `in: header`",
            )
    if doc.kind != OPENAPI:
        return
    extra = ctx.options.get("extra_names")
    names = (
        CREDENTIAL_NAMES | {_normalised(n) for n in extra} if isinstance(extra, list) else CREDENTIAL_NAMES
    )
    seen: set[int] = set()
    for op in operations(doc):
        for param in parameters(doc, op):
            if id(param) in seen:
                continue
            seen.add(id(param))
            if param.get("in") == "query" and _normalised(param.get("name")) in names:
                yield Violation(
                    doc.where(param),
                    f"query parameter `{param.get('name')}` looks like a credential",
                    "send credentials in a header (e.g. `Authorization`)",
                )


def _expand(url: str, server: dict[str, Any]) -> str:
    """Substitute server variables by their defaults (OpenAPI 3.1 §4.8.6)."""
    variables = server.get("variables")
    if "{" not in url or not isinstance(variables, dict):
        return url
    for name, variable in variables.items():
        if isinstance(variable, dict) and isinstance(variable.get("default"), str):
            url = url.replace("{" + str(name) + "}", variable["default"])
    return url


def _is_loopback(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return host in ("localhost", "::1") or host.endswith(".localhost") or host.startswith("127.")


def _insecure(url: Any, allow_loopback: bool) -> bool:
    if not isinstance(url, str):
        return False
    if not url.lower().startswith(("http://", "ws://")):
        return False  # https, relative or templated beyond judgement
    return not (allow_loopback and _is_loopback(url))


def _oauth_urls(doc: Document, allow_loopback: bool) -> Iterator[Violation]:
    for name, scheme in security_schemes(doc).items():
        if not isinstance(scheme, dict):
            continue
        if _insecure(scheme.get("openIdConnectUrl"), allow_loopback):
            yield Violation(
                doc.where(scheme, "openIdConnectUrl"),
                f"security scheme `{name}`: openIdConnectUrl does not use https",
            )
        flows = scheme.get("flows")
        if not isinstance(flows, dict):
            continue
        for flow_name, flow in flows.items():
            if not isinstance(flow, dict):
                continue
            for key in _FLOW_URLS:
                if _insecure(flow.get(key), allow_loopback):
                    yield Violation(
                        doc.where(flow, key),
                        f"security scheme `{name}`: {flow_name}.{key} does not use https",
                        "tokens and credentials must only travel over TLS (RFC 6749 §3.1, §3.2)",
                    )


def _openapi_servers(doc: Document) -> Iterator[dict[str, Any]]:
    """Servers at the root, on path items and on operations, each once."""
    seen: set[int] = set()
    lists = [root(doc).get("servers")]
    paths = root(doc).get("paths")
    if isinstance(paths, dict):
        for item in paths.values():
            if isinstance(item, dict):
                lists.append(item.get("servers"))
                lists.extend(item[m].get("servers") for m in HTTP_METHODS if isinstance(item.get(m), dict))
    for servers in lists:
        if isinstance(servers, list):
            for server in servers:
                if isinstance(server, dict) and id(server) not in seen:
                    seen.add(id(server))
                    yield server


@rule(
    "servers-https",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="security",
    summary="Servers and OAuth2 endpoints use TLS: `https` URLs, no plain `http`/`ws` protocols.",
    rationale="""
Credentials and business data must never cross the network in clear text (RFC 9110 §4.2.2; OAuth
2.0 requires TLS for its endpoints, RFC 6749 §3.1, §3.2). OpenAPI server URLs (root, path and
operation level, with server variables at their defaults) and OAuth2/OpenID Connect URLs must be
`https`; relative URLs are not judged. AsyncAPI servers must not use the clear-text `http` or `ws`
protocols (broker protocols are judged by their own security settings). Option `allow_loopback`
(default `true`): `http://localhost` and `127.0.0.1` are accepted for local development servers.
""",
    good="""
servers:
- url: https://orders.api.example.com
""",
    bad="""
servers:
- url: http://orders.api.example.com
""",
)
def servers_https(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    allow_loopback = ctx.options.get("allow_loopback", True) is not False
    if doc.kind == OPENAPI:
        for server in _openapi_servers(doc):
            url = server.get("url")
            if isinstance(url, str) and _insecure(_expand(url, server), allow_loopback):
                yield Violation(doc.where(server, "url"), f"server `{url}` does not use https")
    else:
        for channel_or_server in _async_servers(doc):
            protocol = channel_or_server.get("protocol")
            if isinstance(protocol, str) and protocol.lower() in _INSECURE_ASYNC_PROTOCOLS:
                yield Violation(
                    doc.where(channel_or_server, "protocol"),
                    f"server uses the clear-text protocol `{protocol}`",
                    f"use `{protocol.lower()}s`",
                )
    yield from _oauth_urls(doc, allow_loopback)


def _async_servers(doc: Document) -> Iterator[dict[str, Any]]:
    servers = root(doc).get("servers")
    seen: set[int] = set()
    if isinstance(servers, dict):
        for server in servers.values():
            if isinstance(server, dict):
                seen.add(id(server))
                yield server
    for channel in iter_channels(doc):  # AsyncAPI 3.0 channels may inline server objects
        listed = channel.node.get("servers")
        if isinstance(listed, list):
            for server in listed:
                if isinstance(server, dict) and "protocol" in server and id(server) not in seen:
                    seen.add(id(server))
                    yield server


@rule(
    "secured-operation-401-403",
    severity=Severity.ERROR,
    applies_to=[OPENAPI],
    family="security",
    summary="An operation that requires credentials documents `401` and `403`.",
    rationale="""
Every secured operation can fail authentication (`401 Unauthorized`, RFC 9110 §15.5.2, with a
`WWW-Authenticate` challenge) and authorisation (`403 Forbidden`, §15.5.4): the gateway produces
both. Clients and generated code handle only documented responses, so both are part of the
contract. A `4XX` range response counts as documenting them.
""",
    good="""
get:
  security: [{oauth2: [orders:read]}]
  responses:
    '200': {description: OK}
    '401': {$ref: '#/components/responses/Unauthorized'}
    '403': {$ref: '#/components/responses/Forbidden'}
""",
    bad="""
get:
  security: [{oauth2: [orders:read]}]
  responses:
    '200': {description: OK}
""",
)
def secured_operation_401_403(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for op in operations(doc):
        if not is_secured(doc, op):
            continue
        responses = responses_of(op)
        missing = [code for code in ("401", "403") if not documents(responses, code)]
        if missing:
            yield Violation(
                at(doc, op.node, "responses"),
                f"{op.key} requires credentials but does not document {' and '.join(missing)}",
                "reference the shared Unauthorized and Forbidden responses",
            )


@rule(
    "security-scope-matches-method",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="security",
    summary="Reads require `<domain>:read` scopes, writes a `<domain>:write` scope.",
    rationale="""
Scopes named `<resource>:read` and `<resource>:write` split read-only clients from clients that
change data. A safe method (GET, HEAD, OPTIONS; RFC 9110 §9.2.1) that requires a `:write` scope
locks out read-only clients; an unsafe method (POST, PUT, PATCH, DELETE) that accepts a requirement
granting only `:read` scopes lets read-only clients change data. Scopes not named `x:read` or
`x:write` are not judged.
""",
    good="""
get:
  security: [{oauth2: [orders:read]}]
post:
  security: [{oauth2: [orders:write]}]
""",
    bad="""
post:
  security: [{oauth2: [orders:read]}]
""",
)
def security_scope_matches_method(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    data = root(doc)
    schemes = security_schemes(doc)
    for op in operations(doc):
        value = op.security(data)
        safe = op.method in _SAFE_METHODS
        for requirement in requirements(value):
            for name, scopes in requirement.items():
                scheme = schemes.get(name)
                if not isinstance(scheme, dict) or scheme.get("type") != "oauth2":
                    continue
                if not isinstance(scopes, list) or not scopes:
                    continue
                access = [m.group(1) for m in map(_SCOPE_ACCESS.match, map(str, scopes)) if m]
                if len(access) != len(scopes):
                    continue
                if safe and "write" in access:
                    yield Violation(
                        doc.where(scopes),
                        f"{op.key} only reads but requires a `:write` scope",
                        "require the `:read` scope",
                    )
                elif not safe and "write" not in access:
                    yield Violation(
                        doc.where(scopes),
                        f"{op.key} changes data but `{name}` grants it with read scopes only",
                        "require the `:write` scope",
                    )
