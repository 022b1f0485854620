"""What the gateway enforces for one operation, as frozen values built once from a contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from accord.model import Location
from accord.policy.validate import SchemaCheck

#: Methods that RFC 9110 §9.2.2 defines as idempotent (safe to retry).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

ParamLocation = Literal["path", "query", "header", "cookie"]
RateLimitKey = Literal["client", "ip", "header"]


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """One entry of ``components.securitySchemes``, reduced to what the gateway checks."""

    name: str
    type: str  # apiKey | http | oauth2 | openIdConnect | mutualTLS
    scheme: str | None = None  # for type http: bearer, basic, ...
    location: str | None = None  # for apiKey: header, query or cookie
    parameter: str | None = None  # for apiKey: the header/query/cookie name

    @property
    def bearer(self) -> bool:
        """True when the scheme is satisfied by an ``Authorization: Bearer`` token (RFC 6750)."""
        if self.type in ("oauth2", "openIdConnect"):
            return True
        return self.type == "http" and (self.scheme or "").lower() == "bearer"

    @property
    def api_key(self) -> bool:
        return self.type == "apiKey"


@dataclass(frozen=True, slots=True)
class SecurityRequirement:
    """One alternative of an operation's ``security`` list: every scheme in it must be satisfied.

    An alternative with no schemes (``{}``) admits anonymous callers (OpenAPI 3.1 §4.8.30).
    """

    schemes: tuple[tuple[SecurityScheme, tuple[str, ...]], ...]

    @property
    def anonymous(self) -> bool:
        return not self.schemes


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``x-accord-rate-limit``: ``limit`` requests per ``window`` seconds per key.

    ``scope`` names the bucket family: the domain for a document-level limit (one quota shared by
    every operation of the API), the operation id for an operation-level one.
    """

    limit: int
    window: float
    key: RateLimitKey
    header: str | None
    scope: str
    name: str  # policy name in the RateLimit-Policy header
    location: Location

    @property
    def emission_interval(self) -> float:
        """GCRA emission interval T = window / limit (seconds between evenly spaced requests)."""
        return self.window / self.limit


@dataclass(frozen=True, slots=True)
class Parameter:
    """A path/query/header/cookie parameter with its compiled schema check."""

    name: str
    location: ParamLocation
    required: bool
    check: SchemaCheck | None
    type: str | None  # the JSON type to coerce the raw string to (None: leave as a string)
    item_type: str | None = None  # for arrays: the items' JSON type
    explode: bool = True
    style: str = "form"

    @property
    def pointer(self) -> str:
        """Where errors about this parameter point: ``/query/limit``, ``/header/Idempotency-Key``."""
        return f"/{self.location}/{self.name.replace('~', '~0').replace('/', '~1')}"


@dataclass(frozen=True, slots=True)
class MediaType:
    """One accepted request media type; ``check`` is None when the body is not JSON-validated."""

    media_type: str
    json: bool
    check: SchemaCheck | None


@dataclass(frozen=True, slots=True)
class RequestBody:
    required: bool
    media: tuple[MediaType, ...]

    def match(self, content_type: str) -> MediaType | None:
        """The declared media type that a request's ``Content-Type`` falls under (RFC 9110 §8.3)."""
        essence = content_type.split(";", 1)[0].strip().lower()
        if not essence or "/" not in essence:
            return None
        kind = essence.split("/", 1)[0]
        wildcard: MediaType | None = None
        for media in self.media:
            declared = media.media_type
            if declared == essence:
                return media
            if declared == "*/*" or declared == f"{kind}/*":
                wildcard = wildcard or media
        return wildcard


@dataclass(frozen=True, slots=True)
class ResponseCheck:
    """Schemas of one documented response status (``200``, ``4XX`` or ``default``)."""

    status: str
    media: tuple[MediaType, ...]


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Deprecation and sunset of an operation (RFC 9745, RFC 8594)."""

    deprecated: bool = False
    deprecated_at: datetime | None = None
    sunset: datetime | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything the gateway enforces for one operation, built at start-up, never per request."""

    domain: str
    operation_id: str
    method: str  # upper case
    path: str  # the template as written, e.g. /v1/customers/{customerId}
    location: Location
    auth: tuple[SecurityRequirement, ...] = ()
    rate_limit: RateLimit | None = None
    parameters: tuple[Parameter, ...] = ()
    body: RequestBody | None = None
    responses: tuple[ResponseCheck, ...] = ()
    idempotency_header: str | None = None
    lifecycle: Lifecycle = field(default_factory=Lifecycle)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def idempotent_method(self) -> bool:
        return self.method in IDEMPOTENT_METHODS

    @property
    def secured(self) -> bool:
        """True when some credential is required (no anonymous alternative)."""
        return bool(self.auth) and not any(req.anonymous for req in self.auth)

    def response_check(self, status: int) -> ResponseCheck | None:
        """The documented response for ``status``: exact code, then ``4XX`` range, then ``default``."""
        exact = str(status)
        family = f"{status // 100}XX"
        fallback: ResponseCheck | None = None
        ranged: ResponseCheck | None = None
        for response in self.responses:
            if response.status == exact:
                return response
            if response.status.upper() == family:
                ranged = response
            elif response.status == "default":
                fallback = response
        return ranged or fallback
