"""The intermediate model of ``accord generate``: what to render, with no knowledge of how.

``from_openapi`` and ``from_asyncapi`` fill it from loaded contracts; ``render`` turns it into
files. Everything here is plain data, ordered as the contracts are written, so rendering is a
deterministic function of the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.model import Location

#: The package of types shared by every domain (``contracts/common``).
COMMON = "common"


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A generated model class: the package it lives in (``common`` or a domain) and its name."""

    module: str
    name: str

    @property
    def key(self) -> str:
        """The component name handed to datamodel-code-generator (``orders.models.SalesOrder``)."""
        return f"{self.module}.models.{self.name}"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A contract file an output is generated from, with the SHA-256 of its bytes."""

    path: str  # shown relative to the folder above the contract root, e.g. contracts/orders/openapi.yaml
    sha256: str


@dataclass(slots=True)
class ModelDef:
    """One named JSON Schema to generate as a model. ``schema`` has its ``$ref``s rewritten to model keys."""

    ref: TypeRef
    schema: dict[str, Any]
    location: Location


@dataclass(frozen=True, slots=True)
class Param:
    """One operation parameter."""

    name: str  # as written in the contract
    python_name: str
    location: str  # path, query, header or cookie
    required: bool
    schema: dict[str, Any]  # resolved; used for the annotation and FastAPI constraints
    description: str | None = None
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class Body:
    """The request body an operation accepts."""

    media_type: str
    model: TypeRef | None  # None: no JSON schema (raw body)
    required: bool
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    required: bool
    schema: dict[str, Any]
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """One documented response of an operation."""

    status: str  # "200", "4XX", "default"
    description: str
    media_type: str | None
    model: TypeRef | None
    headers: tuple[Header, ...] = ()

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2")


@dataclass(slots=True)
class OperationDef:
    """One HTTP operation of a service."""

    operation_id: str
    python_name: str
    method: str  # lower case
    path: str
    tag: str
    summary: str | None
    description: str | None
    deprecated: bool
    params: list[Param]
    body: Body | None
    replies: list[Reply]
    location: Location

    @property
    def successes(self) -> list[Reply]:
        return [r for r in self.replies if r.is_success]

    @property
    def default_status(self) -> int:
        """The status a handler's plain return value is sent with: the first documented 2xx."""
        for reply in self.successes:
            if reply.status.isdigit():
                return int(reply.status)
        return 200


@dataclass(slots=True)
class TagDef:
    """A tag of a service: one router and one handler interface."""

    name: str
    description: str | None
    class_name: str  # handler Protocol, e.g. ItemsApi
    function_name: str  # router factory, e.g. items_router
    argument: str  # keyword of create_app, e.g. items
    operations: list[OperationDef] = field(default_factory=list)


@dataclass(slots=True)
class ServiceDef:
    """The FastAPI service of a domain."""

    title: str
    version: str
    description: str | None
    tags: list[TagDef]


@dataclass(slots=True)
class EventDef:
    """One AsyncAPI operation: what a domain publishes (``send``) or consumes (``receive``)."""

    operation_id: str
    python_name: str
    action: str  # send | receive
    address: str
    channel_constant: str  # e.g. ITEM_CREATED
    event_type: str | None  # the CloudEvents ``type`` const
    model: TypeRef  # the message payload (envelope + data)
    data_model: TypeRef | None  # the ``data`` member, when it is a model
    message_name: str
    default_source: str | None
    summary: str | None
    location: Location


@dataclass(slots=True)
class EventsDef:
    """The events of a domain."""

    title: str
    version: str
    events: list[EventDef]


@dataclass(slots=True)
class DomainDef:
    """Everything generated for one domain."""

    name: str  # as in accord.yaml
    package: str  # Python package name
    sources: list[SourceRef]
    service: ServiceDef | None = None
    events: EventsDef | None = None


@dataclass(slots=True)
class Project:
    """The whole generation: shared models, every domain, and the models of each package."""

    domains: list[DomainDef]
    models: dict[str, list[ModelDef]]  # package -> models, in registration order
    common_sources: list[SourceRef]

    def domain(self, name: str) -> DomainDef:
        for domain in self.domains:
            if domain.name == name:
                return domain
        raise KeyError(name)
