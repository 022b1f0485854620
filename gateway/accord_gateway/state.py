"""Assembly: configuration + contracts -> compiled policies, router, backends and the policy chain.

Everything here runs at start-up (and on reload), never per request. A contract or configuration
that cannot be enforced raises :class:`~accord.errors.ConfigError` located at the offending line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from accord.contracts import ContractSet, load_contract_set
from accord.errors import ConfigError
from accord.loader import read_source
from accord.model import Location, Severity
from accord.policy import CompileOptions, Policy, SecurityScheme, compile_contract_set
from accord.validation import validate_document
from accord_gateway.auth import ApiKeys, ClientCertificates, Jwks, JwtVerifier
from accord_gateway.config import GatewayConfig, UpstreamSettings
from accord_gateway.exchange import Handler
from accord_gateway.idempotency_store import IdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore
from accord_gateway.limiter import Limiter, MemoryLimiter, RedisLimiter
from accord_gateway.metrics import Metrics
from accord_gateway.middleware import (
    AuthMiddleware,
    ErrorMiddleware,
    IdempotencyMiddleware,
    LifecycleMiddleware,
    RateLimitMiddleware,
    RoutingMiddleware,
    TraceMiddleware,
    ValidationMiddleware,
)
from accord_gateway.proxy import Proxy, Upstream
from accord_gateway.resp import RespClient
from accord_gateway.routing import Router
from accord_gateway.upstream import AiohttpClient, CircuitBreaker, Http1Client, UpstreamClient

log = logging.getLogger("accord.gateway")

#: Paths the gateway answers itself; a contract may not use them.
ADMIN_PATHS = ("/metrics", "/healthz", "/readyz")


@dataclass(eq=False)
class State:
    """One generation of the gateway: replaced whole on reload, closed once its requests drained."""

    config: GatewayConfig
    policies: list[Policy]
    router: Router
    handler: Handler
    upstreams: dict[str, Upstream]
    limiter: Limiter | None
    store: IdempotencyStore | None
    jwks: Jwks | None
    redis: RespClient | None
    inflight: int = 0
    retired: bool = False
    closed: bool = False
    _owned_clients: list[UpstreamClient] = field(default_factory=list)

    async def close(self, keep: tuple[object, ...] = ()) -> None:
        if self.closed:
            return
        self.closed = True
        for client in self._owned_clients:
            await client.close()
        if self.jwks is not None:
            await self.jwks.close()
        if self.redis is not None and self.redis not in keep:
            await self.redis.close()


def contracts_path(config: GatewayConfig) -> Path:
    path = config.resolve_path(config.contracts)
    return path.parent if path.name == "accord.yaml" else path


def load_contracts(config: GatewayConfig) -> ContractSet:
    """The catalogue and its documents; unreadable or structurally invalid contracts refuse start-up."""
    path = contracts_path(config)
    if not (path / "accord.yaml").is_file():
        raise ConfigError(f"no accord.yaml catalogue in {path}", config.where("contracts"))
    contract_set = load_contract_set([path])
    if contract_set.errors:
        raise contract_set.errors[0]
    wanted = set(config.domains) if config.domains is not None else None
    for doc in contract_set.documents:
        domain = contract_set.domain_of(doc)
        if doc.kind != "openapi" or (wanted is not None and domain not in wanted):
            continue
        errors = [f for f in validate_document(doc) if f.severity >= Severity.ERROR]
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise ConfigError(f"invalid contract: {first.message}{more}", first.location)
    return contract_set


def compile_policies(config: GatewayConfig, contract_set: ContractSet) -> list[Policy]:
    known = set(contract_set.config.domains)
    for domain in config.domains or ():
        if domain not in known:
            raise ConfigError(f"domain {domain!r} is not in the catalogue", config.where("domains"))
    for domain in config.upstreams:
        if domain not in known and domain != "*":
            raise ConfigError(f"upstreams names unknown domain {domain!r}", config.where("upstreams", domain))
    options = CompileOptions(
        response_validation=config.validation.responses != "off", api_key_scopes=config.auth.api_key_scopes
    )
    policies = compile_contract_set(contract_set, domains=config.domains, options=options)
    for policy in policies:
        if policy.path in ADMIN_PATHS:
            raise ConfigError(f"{policy.path} is reserved for the gateway's own endpoints", policy.location)
    return policies


def _catalogue_location(contract_set: ContractSet, domain: str) -> Location:
    file = contract_set.config.root / "accord.yaml"
    try:
        return read_source(file).location(f"/domains/{domain}")
    except ConfigError:
        return Location(str(file), f"/domains/{domain}")
    except Exception:
        return Location(str(file), f"/domains/{domain}")


def build_upstreams(
    config: GatewayConfig,
    contract_set: ContractSet,
    policies: list[Policy],
    clients: Mapping[str, UpstreamClient] | None,
) -> tuple[dict[str, Upstream], list[UpstreamClient]]:
    upstreams: dict[str, Upstream] = {}
    owned: list[UpstreamClient] = []
    defaults = config.upstream
    for domain in sorted({p.domain for p in policies}):
        override = config.upstreams.get(domain)
        catalogue = contract_set.config.domains.get(domain)
        url = (override.url if override and override.url else None) or (
            catalogue.upstream if catalogue else None
        )
        if not url:
            raise ConfigError(
                f"domain {domain!r} has no upstream URL (set it in accord.yaml or in upstreams.{domain}.url)",
                _catalogue_location(contract_set, domain),
            )
        timeout = override.timeout if override and override.timeout else defaults.timeout
        connect = (
            override.connect_timeout if override and override.connect_timeout else defaults.connect_timeout
        )
        retries = override.retries if override and override.retries is not None else defaults.retries
        breaker_cfg = override.breaker if override and override.breaker else defaults.breaker
        client = (clients or {}).get(domain) or (clients or {}).get("*")
        if client is None:
            client = new_client(defaults, timeout=timeout, connect_timeout=connect)
            owned.append(client)
        breaker = (
            CircuitBreaker(breaker_cfg.failures, breaker_cfg.reset_after) if breaker_cfg.enabled else None
        )
        upstreams[domain] = Upstream(
            domain, url.rstrip("/"), client, breaker, retries, defaults.retry_backoff
        )
    return upstreams, owned


def new_client(settings: UpstreamSettings, *, timeout: float, connect_timeout: float) -> UpstreamClient:
    """The configured upstream client implementation (``upstream.client``)."""
    if settings.client == "aiohttp":
        return AiohttpClient(
            timeout=timeout, connect_timeout=connect_timeout, max_connections=settings.max_connections
        )
    return Http1Client(
        timeout=timeout,
        connect_timeout=connect_timeout,
        max_connections=settings.max_connections,
        keepalive=settings.keep_alive,
    )


def _check_jwks(config: GatewayConfig) -> Jwks | None:
    jwt = config.auth.jwt
    if jwt is None:
        return None
    source = jwt.jwks
    if not source.startswith(("http://", "https://")):
        path = config.resolve_path(source)
        if not path.is_file():
            raise ConfigError(f"JWKS file {path} does not exist", config.where("auth", "jwt", "jwks"))
        source = str(path)
    return Jwks(
        source,
        cache_seconds=jwt.cache_seconds,
        min_refresh_interval=jwt.min_refresh_interval,
        fetch_timeout=jwt.fetch_timeout,
    )


def build_state(
    config: GatewayConfig,
    metrics: Metrics,
    *,
    contract_set: ContractSet | None = None,
    clients: Mapping[str, UpstreamClient] | None = None,
    previous: State | None = None,
) -> State:
    """Compile and assemble one generation of the gateway (raises ConfigError, located)."""
    contracts = contract_set if contract_set is not None else load_contracts(config)
    policies = compile_policies(config, contracts)
    router = Router(policies)
    upstreams, owned = build_upstreams(config, contracts, policies, clients)
    jwks = _check_jwks(config)
    verifier = JwtVerifier(config.auth.jwt, jwks) if config.auth.jwt and jwks else None
    needs_redis = (config.rate_limit.enabled and config.rate_limit.backend == "redis") or (
        config.idempotency.enabled and config.idempotency.backend == "redis"
    )
    redis = (
        RespClient(
            config.redis.url, timeout=config.redis.timeout, reconnect_interval=config.redis.reconnect_interval
        )
        if needs_redis
        else None
    )
    limiter: Limiter | None = None
    if config.rate_limit.enabled:
        if config.rate_limit.backend == "redis":
            assert redis is not None
            limiter = RedisLimiter(redis, config.redis.prefix)
        elif previous is not None and isinstance(previous.limiter, MemoryLimiter):
            limiter = previous.limiter  # keep counting across a reload
        else:
            limiter = MemoryLimiter()
    store: IdempotencyStore | None = None
    if config.idempotency.enabled:
        if config.idempotency.backend == "redis":
            assert redis is not None
            store = RedisIdempotencyStore(redis, config.redis.prefix)
        elif previous is not None and isinstance(previous.store, MemoryIdempotencyStore):
            store = previous.store
        else:
            store = MemoryIdempotencyStore()

    validation = config.validation
    handler: Handler = Proxy(
        upstreams, metrics, max_body_bytes=validation.max_body_bytes, body_timeout=validation.body_timeout
    )
    handler = LifecycleMiddleware(
        handler,
        metrics,
        gone_after_sunset=config.lifecycle.gone_after_sunset,
        deprecation_link=config.lifecycle.deprecation_link,
    )
    if store is not None:
        idem = config.idempotency
        handler = IdempotencyMiddleware(
            handler,
            metrics,
            store=store,
            ttl=idem.ttl,
            lock_ttl=idem.lock_ttl,
            wait=idem.wait,
            max_stored_bytes=idem.max_stored_bytes,
            max_body_bytes=validation.max_body_bytes,
            body_timeout=validation.body_timeout,
        )
    if validation.enabled:
        handler = ValidationMiddleware(
            handler,
            metrics,
            max_body_bytes=validation.max_body_bytes,
            body_timeout=validation.body_timeout,
            responses=validation.responses,
        )
    if limiter is not None:
        handler = RateLimitMiddleware(
            handler,
            metrics,
            limiter=limiter,
            on_backend_error=config.rate_limit.on_backend_error,
            trust_forwarded_for=config.rate_limit.trust_forwarded_for,
        )
    handler = AuthMiddleware(
        handler,
        metrics,
        api_keys=ApiKeys(config.auth.api_keys.clients),
        verifier=verifier,
        realm=config.auth.realm,
        certificates=ClientCertificates(config.auth.mutual_tls.clients),
    )
    handler = RoutingMiddleware(handler, router, metrics, max_header_bytes=config.limits.max_header_bytes)
    handler = TraceMiddleware(handler)
    handler = ErrorMiddleware(handler, metrics)
    return State(
        config=config,
        policies=policies,
        router=router,
        handler=handler,
        upstreams=upstreams,
        limiter=limiter,
        store=store,
        jwks=jwks,
        redis=redis,
        _owned_clients=owned,
    )


async def close_when_drained(state: State, poll: float = 0.05) -> None:
    """Close a retired generation once its last in-flight request has finished."""
    while state.inflight > 0:
        await asyncio.sleep(poll)
    await state.close()


def _only(policies: list[Policy], accepted: Callable[[SecurityScheme], bool]) -> int:
    """How many operations can be satisfied only by schemes ``accepted`` picks out."""
    return sum(
        1
        for p in policies
        if p.auth and all(any(accepted(s) for s, _ in req.schemes) for req in p.auth if not req.anonymous)
    )


def unusable_credentials(policies: list[Policy], config: GatewayConfig) -> list[str]:
    """Operations whose only way in is a credential this configuration cannot check."""
    found = []
    bearer = _only(policies, lambda scheme: scheme.bearer)
    if bearer and config.auth.jwt is None:
        found.append(f"{bearer} operation(s) accept only bearer tokens but auth.jwt is not configured")
    certificates = _only(policies, lambda scheme: scheme.type == "mutualTLS")
    tls = config.server.tls
    if certificates and (tls is None or tls.client_certs == "none"):
        found.append(
            f"{certificates} operation(s) accept only client certificates but server.tls.clientCerts is not set"
        )
    elif certificates and not config.auth.mutual_tls.clients:
        found.append(
            f"{certificates} operation(s) accept only client certificates but auth.mutualTls lists no client"
        )
    return found
