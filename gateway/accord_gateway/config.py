"""``gateway.yaml`` -> typed :class:`GatewayConfig`; every mistake is reported with file:line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from accord.errors import ConfigError
from accord.loader import SourceFile, read_source
from accord.loader._pointer import join
from accord.model import Location

_URL = re.compile(r"^https?://[^\s/?#]+(?:/[^\s?#]*)?$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)


class BreakerConfig(_Model):
    """Circuit breaker per upstream: ``failures`` in a row open it for ``reset_after`` seconds."""

    enabled: bool = True
    failures: int = Field(default=5, ge=1)
    reset_after: float = Field(default=10.0, gt=0)


class UpstreamSettings(_Model):
    """How the gateway talks to an upstream (defaults for every domain)."""

    timeout: float = Field(
        default=10.0, gt=0, description="seconds without data from the upstream before 504"
    )
    connect_timeout: float = Field(default=2.0, gt=0)
    retries: int = Field(default=1, ge=0, le=5, description="extra attempts, idempotent methods only")
    retry_backoff: float = Field(default=0.05, ge=0)
    max_connections: int = Field(default=256, ge=1, description="per upstream")
    keep_alive: float = Field(
        default=4.0, ge=0, description="idle connections older than this are not reused (seconds)"
    )
    client: Literal["builtin", "aiohttp"] = Field(
        default="builtin",
        description="builtin: Accord's HTTP/1.1 client on httptools; aiohttp: a pooled session",
    )
    breaker: BreakerConfig = BreakerConfig()


class UpstreamOverride(_Model):
    """Per-domain override of the catalogue's ``upstream`` URL and of the defaults."""

    url: str | None = None
    timeout: float | None = Field(default=None, gt=0)
    connect_timeout: float | None = Field(default=None, gt=0)
    retries: int | None = Field(default=None, ge=0, le=5)
    breaker: BreakerConfig | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not _URL.match(value):
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:9101")
        return value.rstrip("/") if value else value


class ApiKeyClient(_Model):
    """A client that authenticates with an API key; only the key's SHA-256 is stored."""

    id: str = Field(min_length=1, max_length=128)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    scopes: list[str] = Field(default_factory=list)


class ApiKeysConfig(_Model):
    clients: list[ApiKeyClient] = Field(default_factory=list)


class CertificateClient(_Model):
    """A client that authenticates with a TLS client certificate (OpenAPI ``mutualTLS``),
    identified by the SHA-256 fingerprint of the certificate (DER)."""

    id: str = Field(min_length=1, max_length=128)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$|^([0-9a-fA-F]{2}:){31}[0-9a-fA-F]{2}$")
    scopes: list[str] = Field(default_factory=list)


class MutualTlsConfig(_Model):
    clients: list[CertificateClient] = Field(default_factory=list)


class JwtConfig(_Model):
    """JWT bearer tokens verified against a JWKS (file or URL)."""

    jwks: str = Field(min_length=1, description="path (relative to this file) or http(s) URL of a JWKS")
    issuer: str | None = None
    audience: str | list[str] | None = None
    algorithms: list[
        Literal["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
    ] = [
        "RS256",
        "ES256",
        "EdDSA",
    ]
    leeway: float = Field(default=30.0, ge=0, le=600)
    cache_seconds: float = Field(
        default=300.0, gt=0, description="JWKS kept this long before it is fetched again"
    )
    min_refresh_interval: float = Field(
        default=30.0, ge=0, description="at most one fetch per interval on unknown kid"
    )
    fetch_timeout: float = Field(default=2.0, gt=0)
    client_claim: str = "client_id"
    verified_cache_size: int = Field(default=10_000, ge=0)


class AuthConfig(_Model):
    realm: str = Field(default="accord", pattern=r'^[^"\\\r\n]*$')
    api_keys: ApiKeysConfig = ApiKeysConfig()
    jwt: JwtConfig | None = None
    mutual_tls: MutualTlsConfig = MutualTlsConfig()
    api_key_scopes: Literal["inherit", "declared"] = "inherit"


class RedisConfig(_Model):
    url: str = Field(default="redis://127.0.0.1:6379/0", pattern=r"^redis://")
    timeout: float = Field(default=0.25, gt=0)
    reconnect_interval: float = Field(default=0.5, ge=0)
    prefix: str = "accord:"


class RateLimitConfig(_Model):
    enabled: bool = True
    backend: Literal["memory", "redis"] = "memory"
    on_backend_error: Literal["open", "closed"] = "open"
    trust_forwarded_for: bool = False


class IdempotencyConfig(_Model):
    enabled: bool = True
    backend: Literal["memory", "redis"] = "memory"
    ttl: float = Field(default=86_400.0, gt=0, description="how long a stored response is replayed")
    lock_ttl: float = Field(default=60.0, gt=0, description="how long an in-flight key stays locked")
    wait: float = Field(default=10.0, ge=0, description="how long a concurrent duplicate waits before 409")
    max_stored_bytes: int = Field(default=1_048_576, ge=0)


class ValidationConfig(_Model):
    enabled: bool = True
    max_body_bytes: int = Field(default=1_048_576, ge=0)
    body_timeout: float = Field(default=30.0, gt=0)
    responses: Literal["off", "report", "enforce"] = "off"


class LimitsConfig(_Model):
    max_header_bytes: int = Field(default=16_384, ge=1024)


class LifecycleConfig(_Model):
    gone_after_sunset: bool = False
    deprecation_link: str | None = Field(
        default=None, description="used when the operation names none; {operationId}"
    )


class AccessLogConfig(_Model):
    enabled: bool = True
    path: str = Field(default="-", description="'-' for stdout, or a file path")


class TlsConfig(_Model):
    """TLS termination in the gateway; ``clientCerts`` asks for client certificates (mutual TLS)
    verified against ``clientCaFile``. Paths are relative to this file."""

    cert_file: str = Field(min_length=1)
    key_file: str = Field(min_length=1)
    client_ca_file: str | None = None
    client_certs: Literal["none", "optional", "required"] = "none"

    @model_validator(mode="after")
    def _ca_for_client_certs(self) -> TlsConfig:
        if self.client_certs != "none" and not self.client_ca_file:
            raise ValueError("clientCerts needs clientCaFile (the CA that signs client certificates)")
        return self


class ServerConfig(_Model):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    tls: TlsConfig | None = None


class GatewayConfig(_Model):
    """The whole gateway configuration. ``base_dir`` is the folder relative paths start from."""

    version: Literal[1] = 1
    contracts: str = Field(
        default="contracts", description="folder holding accord.yaml, or the accord.yaml itself"
    )
    domains: list[str] | None = None
    server: ServerConfig = ServerConfig()
    upstream: UpstreamSettings = UpstreamSettings()
    upstreams: dict[str, UpstreamOverride] = Field(default_factory=dict)
    auth: AuthConfig = AuthConfig()
    redis: RedisConfig = RedisConfig()
    rate_limit: RateLimitConfig = RateLimitConfig()
    idempotency: IdempotencyConfig = IdempotencyConfig()
    validation: ValidationConfig = ValidationConfig()
    limits: LimitsConfig = LimitsConfig()
    lifecycle: LifecycleConfig = LifecycleConfig()
    access_log: AccessLogConfig = AccessLogConfig()
    metrics: bool = True
    problem_type_base: str = "/problems/"
    base_dir: Path = Field(default=Path("."), exclude=True)
    file: str | None = Field(default=None, exclude=True)
    _source: SourceFile | None = PrivateAttr(None)

    def where(self, *keys: str | int) -> Location:
        """Location of a configuration key (line and column when the config came from a file)."""
        pointer = join("", keys)
        if self._source is None:
            return Location(self.file or "<gateway config>", pointer)
        return self._source.location(pointer)

    def resolve_path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path


def _pointer_of(loc: tuple[int | str, ...], data: Any) -> str:
    """Map a pydantic error location (aliases) onto the JSON pointer of the YAML node."""
    keys: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):  # noqa: SIM114
            node = node[part]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            break
        keys.append(part)
    return join("", tuple(keys))


def config_from_source(source: SourceFile) -> GatewayConfig:
    """Validate a parsed gateway file; the first error is raised with its file:line."""
    data = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError("the gateway configuration must be a mapping", source.location(""))
    try:
        config = GatewayConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        pointer = _pointer_of(tuple(first["loc"]), data)
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"invalid gateway configuration at {field}: {first['msg']}", source.location(pointer)
        ) from None
    located = config.model_copy(update={"base_dir": source.path.resolve().parent, "file": source.display})
    located._source = source
    return located


def load_gateway_config(path: str | Path) -> GatewayConfig:
    """Read and validate ``gateway.yaml``; raises :class:`ConfigError` located at the offending line."""
    return config_from_source(read_source(Path(path)))


def config_from_dict(data: dict[str, Any], base_dir: Path | None = None) -> GatewayConfig:
    """A configuration built in code (tests, embedding); paths are relative to ``base_dir``."""
    try:
        config = GatewayConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"invalid gateway configuration at {field}: {first['msg']}",
            Location("<gateway config>", _pointer_of(tuple(first["loc"]), data)),
        ) from None
    return config.model_copy(update={"base_dir": (base_dir or Path.cwd()).resolve()})
