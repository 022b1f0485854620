"""The one registry of change kinds: id, default level, direction(s), family, summary and rationale.

Kinds that judge a schema are generated from :data:`SCHEMA_TEMPLATES` for each :class:`Scope`
(request body, parameter, response body, response header, sent and received message), because the
same edit is judged in opposite ways on the side a client *writes* (requests, messages the service
receives) and the side it *reads* (responses, messages the service sends). Ids reuse oasdiff's names
where the concept matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accord.model import Severity

E, W, N = Severity.ERROR, Severity.WARN, Severity.INFO  # N: "note", the safe level
_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

#: Directions a change can have (see :class:`accord.model.Change`).
DIRECTIONS = ("request", "response", "publish", "subscribe", "none")


@dataclass(frozen=True, slots=True)
class ChangeKind:
    """One kind of change. ``additive`` kinds make a minor version bump (see accord.semver_policy)."""

    id: str
    level: Severity
    directions: tuple[str, ...]
    family: str
    summary: str
    rationale: str
    additive: bool = False


KINDS: dict[str, ChangeKind] = {}


def register(
    id: str,
    level: Severity,
    directions: str | tuple[str, ...],
    family: str,
    summary: str,
    rationale: str,
    *,
    additive: bool = False,
) -> ChangeKind:
    """Add a kind to :data:`KINDS`; ids are kebab-case and unique."""
    if not _ID.match(id):
        raise ValueError(f"change id {id!r} is not kebab-case")
    if id in KINDS:
        raise ValueError(f"change id {id!r} registered twice")
    dirs = (directions,) if isinstance(directions, str) else directions
    if not dirs or any(d not in DIRECTIONS for d in dirs):
        raise ValueError(f"change id {id!r} has bad directions {dirs!r}")
    kind = ChangeKind(id, level, dirs, family, summary, " ".join(rationale.split()), additive)
    KINDS[id] = kind
    return kind


def get(id: str) -> ChangeKind:
    """The registered kind ``id`` (KeyError for an unknown id: a bug in a rule)."""
    return KINDS[id]


# -- schema kinds ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a schema sits: decides the ids, the side (write/read) and the change direction."""

    name: str  # prefix of value-level ids, e.g. "request-property"
    word: str  # word in property-level ids, e.g. "request"
    side: str  # "write" (the client sends it) or "read" (the client receives it)
    direction: str
    subject: str  # prose: "request body property"
    fallback: str | None = None  # scope whose ids are used for kinds this one does not register
    values_only: bool = False  # registers value-level kinds only (parameters, headers)
    root_ids: tuple[tuple[str, str], ...] = ()  # template key -> id used at the root of a body


SCOPES: dict[str, Scope] = {
    s.name: s
    for s in (
        Scope(
            "request-property",
            "request",
            "write",
            "request",
            "request body property",
            root_ids=(("type-changed", "request-body-type-changed"),),
        ),
        Scope(
            "response-property",
            "response",
            "read",
            "response",
            "response body property",
            root_ids=(("type-changed", "response-body-type-changed"),),
        ),
        Scope(
            "request-parameter", "request", "write", "request", "request parameter", "request-property", True
        ),
        Scope(
            "response-header", "response", "read", "response", "response header", "response-property", True
        ),
        Scope(
            "sent-message-property",
            "sent-message",
            "read",
            "publish",
            "property of a message the service sends",
        ),
        Scope(
            "received-message-property",
            "received-message",
            "write",
            "subscribe",
            "property of a message the service receives",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class SchemaTemplate:
    """A schema change judged per side; ``write``/``read`` is the level on that side (None: n/a)."""

    key: str
    write: Severity | None
    read: Severity | None
    summary: str  # "{subject}" is replaced by the scope's subject
    write_why: str
    read_why: str
    property_level: bool = False
    objects_only: bool = False  # only meaningful for object/array bodies (not parameters/headers)
    additive: bool = False

    def level(self, side: str) -> Severity | None:
        return self.write if side == "write" else self.read


_WRITE_TIGHTER = "Clients send values that the old contract accepted and the new one rejects."
_WRITE_LOOSER = "Every value clients send today is still accepted."
_READ_WIDER = (
    "The service may now return values that clients written against the old contract do not expect; "
    "strict clients (generated models, validators) fail on them."
)
_READ_NARROWER = "The service returns a subset of what it returned before; clients keep working."

SCHEMA_TEMPLATES: tuple[SchemaTemplate, ...] = (
    SchemaTemplate(
        "type-changed",
        E,
        E,
        "The type of a {subject} changed.",
        "Clients keep sending the old type, which is now rejected.",
        "Clients parse the old type and fail on the new one.",
    ),
    SchemaTemplate(
        "type-generalized",
        N,
        None,
        "The type of a {subject} was widened (e.g. integer to number).",
        _WRITE_LOOSER,
        "",
    ),
    SchemaTemplate(
        "type-specialized",
        None,
        N,
        "The type of a {subject} was narrowed (e.g. number to integer).",
        "",
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "format-changed",
        E,
        E,
        "The format of a {subject} changed, was added (requests) or removed (responses).",
        _WRITE_TIGHTER,
        "Clients parse values in the old format (e.g. as a date).",
    ),
    SchemaTemplate(
        "format-generalized",
        N,
        None,
        "The format of a {subject} was removed or widened (e.g. int32 to int64).",
        _WRITE_LOOSER,
        "",
    ),
    SchemaTemplate(
        "format-specialized",
        None,
        N,
        "The format of a {subject} was added or narrowed (e.g. int64 to int32).",
        "",
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "became-nullable",
        N,
        E,
        "A {subject} became nullable.",
        _WRITE_LOOSER,
        "Clients dereference the value without expecting null.",
    ),
    SchemaTemplate(
        "became-not-nullable",
        E,
        N,
        "A {subject} is no longer nullable.",
        "Clients that send null are now rejected.",
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "enum-value-added",
        N,
        W,
        "A value was added to the enum of a {subject}.",
        _WRITE_LOOSER,
        "Strict clients (exhaustive switches, generated enums) fail on the new value; tolerant "
        "readers keep working, hence a warning.",
        additive=True,
    ),
    SchemaTemplate(
        "enum-value-removed",
        E,
        N,
        "A value was removed from the enum of a {subject}.",
        "Clients that send the removed value are now rejected.",
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "became-enum",
        E,
        N,
        "A {subject} was restricted to a list of values (enum added).",
        _WRITE_TIGHTER,
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "became-non-enum",
        N,
        W,
        "The enum restriction of a {subject} was removed.",
        _WRITE_LOOSER,
        _READ_WIDER,
    ),
    SchemaTemplate(
        "max-length-decreased",
        E,
        N,
        "maxLength of a {subject} was decreased or set.",
        _WRITE_TIGHTER,
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "max-length-increased",
        N,
        W,
        "maxLength of a {subject} was increased or removed.",
        _WRITE_LOOSER,
        _READ_WIDER,
    ),
    SchemaTemplate(
        "min-length-increased",
        E,
        N,
        "minLength of a {subject} was increased or set.",
        _WRITE_TIGHTER,
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "min-length-decreased",
        N,
        W,
        "minLength of a {subject} was decreased or removed.",
        _WRITE_LOOSER,
        _READ_WIDER,
    ),
    SchemaTemplate(
        "max-decreased",
        E,
        N,
        "The maximum of a {subject} was decreased or set.",
        _WRITE_TIGHTER,
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "max-increased",
        N,
        W,
        "The maximum of a {subject} was increased or removed.",
        _WRITE_LOOSER,
        _READ_WIDER,
    ),
    SchemaTemplate(
        "min-increased",
        E,
        N,
        "The minimum of a {subject} was increased or set.",
        _WRITE_TIGHTER,
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "min-decreased",
        N,
        W,
        "The minimum of a {subject} was decreased or removed.",
        _WRITE_LOOSER,
        _READ_WIDER,
    ),
    SchemaTemplate(
        "max-items-decreased",
        E,
        N,
        "maxItems of a {subject} was decreased or set.",
        _WRITE_TIGHTER,
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "max-items-increased",
        N,
        W,
        "maxItems of a {subject} was increased or removed.",
        _WRITE_LOOSER,
        _READ_WIDER,
    ),
    SchemaTemplate(
        "min-items-increased",
        E,
        N,
        "minItems of a {subject} was increased or set.",
        _WRITE_TIGHTER,
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "min-items-decreased",
        N,
        W,
        "minItems of a {subject} was decreased or removed.",
        _WRITE_LOOSER,
        _READ_WIDER,
    ),
    SchemaTemplate(
        "unique-items-added", E, N, "A {subject} now requires unique items.", _WRITE_TIGHTER, _READ_NARROWER
    ),
    SchemaTemplate(
        "unique-items-removed",
        N,
        W,
        "A {subject} no longer requires unique items.",
        _WRITE_LOOSER,
        _READ_WIDER,
    ),
    SchemaTemplate(
        "multiple-of-changed",
        E,
        W,
        "multipleOf of a {subject} changed in a way that is not "
        "a pure loosening (requests) or tightening (responses).",
        _WRITE_TIGHTER,
        _READ_WIDER,
    ),
    SchemaTemplate(
        "pattern-added", E, N, "A pattern was added to a {subject}.", _WRITE_TIGHTER, _READ_NARROWER
    ),
    SchemaTemplate(
        "pattern-removed", N, W, "The pattern of a {subject} was removed.", _WRITE_LOOSER, _READ_WIDER
    ),
    SchemaTemplate(
        "pattern-changed",
        E,
        W,
        "The pattern of a {subject} changed and is not provably looser (requests) or stricter (responses).",
        "Values clients send may no longer match; treated as breaking unless it is provably looser.",
        "The service may return values the old pattern did not allow.",
    ),
    SchemaTemplate(
        "pattern-generalized",
        N,
        None,
        "The pattern of a {subject} was loosened (every value the old pattern matched still matches).",
        _WRITE_LOOSER,
        "",
    ),
    SchemaTemplate(
        "pattern-specialized",
        None,
        N,
        "The pattern of a {subject} was tightened (every value the new pattern matches matched before).",
        "",
        _READ_NARROWER,
    ),
    SchemaTemplate(
        "default-changed",
        W,
        N,
        "The default value of a {subject} changed, was added or removed.",
        "Clients that omit the value silently get a different behaviour.",
        "Defaults describe what the server assumes for omitted input; in output they are documentation.",
    ),
    SchemaTemplate(
        "additional-properties-narrowed",
        E,
        N,
        "A {subject} no longer allows additional properties (or restricted their schema).",
        _WRITE_TIGHTER,
        _READ_NARROWER,
        objects_only=True,
    ),
    SchemaTemplate(
        "additional-properties-widened",
        N,
        W,
        "A {subject} now allows additional properties.",
        _WRITE_LOOSER,
        _READ_WIDER,
        objects_only=True,
    ),
    SchemaTemplate(
        "one-of-added",
        N,
        W,
        "An alternative was added to the oneOf of a {subject}.",
        _WRITE_LOOSER,
        "Clients do not know how to read the new alternative.",
        objects_only=True,
        additive=True,
    ),
    SchemaTemplate(
        "one-of-removed",
        E,
        N,
        "An alternative was removed from the oneOf of a {subject}.",
        "Clients that send the removed alternative are rejected.",
        _READ_NARROWER,
        objects_only=True,
    ),
    SchemaTemplate(
        "any-of-added",
        N,
        W,
        "An alternative was added to the anyOf of a {subject}.",
        _WRITE_LOOSER,
        "Clients do not know how to read the new alternative.",
        objects_only=True,
        additive=True,
    ),
    SchemaTemplate(
        "any-of-removed",
        E,
        N,
        "An alternative was removed from the anyOf of a {subject}.",
        "Clients that send the removed alternative are rejected.",
        _READ_NARROWER,
        objects_only=True,
    ),
    # -- property level ------------------------------------------------------------------------------
    SchemaTemplate(
        "property-removed",
        W,
        E,
        "A property was removed from a {subject}'s object.",
        "Clients still send it; the service now ignores (or rejects) it, silently changing behaviour.",
        "Clients read the property and fail or misbehave without it.",
        property_level=True,
    ),
    SchemaTemplate(
        "required-property-removed",
        None,
        E,
        "A required property was removed from a {subject}'s object.",
        "",
        "Clients rely on required properties being present.",
        property_level=True,
    ),
    SchemaTemplate(
        "new-required-property",
        E,
        N,
        "A required property was added to a {subject}'s object.",
        "Existing clients do not send it and are rejected.",
        "A new property that is always present; tolerant readers ignore it.",
        property_level=True,
        additive=True,
    ),
    SchemaTemplate(
        "new-optional-property",
        N,
        N,
        "An optional property was added to a {subject}'s object.",
        "Clients may send it; nobody has to.",
        "Tolerant readers ignore unknown properties.",
        property_level=True,
        additive=True,
    ),
    SchemaTemplate(
        "property-became-required",
        E,
        N,
        "A property of a {subject}'s object became required.",
        "Clients that omit it are rejected.",
        "Clients get the property more often than before.",
        property_level=True,
    ),
    SchemaTemplate(
        "property-became-optional",
        N,
        E,
        "A property of a {subject}'s object became optional.",
        _WRITE_LOOSER,
        "Clients rely on the property being present.",
        property_level=True,
    ),
    SchemaTemplate(
        "property-became-read-only",
        W,
        None,
        "A property of a {subject}'s object became readOnly.",
        "Clients still send it, but a readOnly property is ignored in requests.",
        "",
        property_level=True,
    ),
    SchemaTemplate(
        "property-became-write-only",
        None,
        E,
        "A property of a {subject}'s object became writeOnly.",
        "",
        "A writeOnly property is no longer returned; clients reading it break.",
        property_level=True,
    ),
)

TEMPLATES: dict[str, SchemaTemplate] = {t.key: t for t in SCHEMA_TEMPLATES}

#: Property-level template key -> id pattern per side ("{w}" is the scope's word).
_PROPERTY_IDS: dict[str, dict[str, str]] = {
    "property-removed": {"write": "{w}-property-removed", "read": "{w}-property-removed"},
    "required-property-removed": {"read": "{w}-required-property-removed"},
    "new-required-property": {"write": "new-required-{w}-property", "read": "{w}-required-property-added"},
    "new-optional-property": {"write": "new-optional-{w}-property", "read": "{w}-optional-property-added"},
    "property-became-required": {
        "write": "{w}-property-became-required",
        "read": "{w}-property-became-required",
    },
    "property-became-optional": {
        "write": "{w}-property-became-optional",
        "read": "{w}-property-became-optional",
    },
    "property-became-read-only": {"write": "{w}-property-became-read-only"},
    "property-became-write-only": {"read": "{w}-property-became-write-only"},
}


def scoped_id(scope: Scope, key: str, *, root: bool = False) -> str:
    """The change id of template ``key`` in ``scope`` (following the scope's fallback when needed)."""
    template = TEMPLATES[key]
    if root:
        for tkey, tid in scope.root_ids:
            if tkey == key:
                return tid
    current: Scope | None = scope
    while current is not None:
        if _registers(current, template):
            return _id_in(current, template)
        current = SCOPES[current.fallback] if current.fallback else None
    raise KeyError(f"no change id for {key!r} in scope {scope.name!r}")


def _registers(scope: Scope, template: SchemaTemplate) -> bool:
    if template.level(scope.side) is None:
        return False
    return not (scope.values_only and (template.property_level or template.objects_only))


def _id_in(scope: Scope, template: SchemaTemplate) -> str:
    if template.property_level:
        return _PROPERTY_IDS[template.key][scope.side].format(w=scope.word)
    return f"{scope.name}-{template.key}"


def _register_schema_kinds() -> None:
    for scope in SCOPES.values():
        for template in SCHEMA_TEMPLATES:
            if not _registers(scope, template):
                continue
            level = template.level(scope.side)
            assert level is not None
            why = template.write_why if scope.side == "write" else template.read_why
            register(
                _id_in(scope, template),
                level,
                scope.direction,
                "schema",
                template.summary.format(subject=scope.subject),
                why,
                additive=template.additive and (template.write is N if scope.side == "write" else True),
            )
        for key, tid in scope.root_ids:
            template = TEMPLATES[key]
            level = template.level(scope.side)
            assert level is not None
            register(
                tid,
                level,
                scope.direction,
                "schema",
                template.summary.format(subject=scope.subject.replace(" property", "")),
                template.write_why if scope.side == "write" else template.read_why,
            )


_register_schema_kinds()

# -- operations ------------------------------------------------------------------------------------
register(
    "endpoint-added",
    N,
    "none",
    "operations",
    "An operation was added.",
    "New capability; nobody depends on it yet.",
    additive=True,
)
register(
    "api-path-removed-without-deprecation",
    E,
    "none",
    "operations",
    "A path (all its operations) was removed without being deprecated first.",
    "Clients calling it get 404. Deprecate with an x-sunset date and remove after that date.",
)
register(
    "api-removed-without-deprecation",
    E,
    "none",
    "operations",
    "An operation was removed without being deprecated first.",
    "Clients calling it get 404 or 405. Deprecate with an x-sunset date and remove after that date.",
)
register(
    "api-removed-before-sunset",
    E,
    "none",
    "operations",
    "A deprecated operation was removed before its x-sunset date (or it had no sunset date).",
    "The deprecation promised clients the operation until the sunset date.",
)
register(
    "api-removed-after-sunset",
    N,
    "none",
    "operations",
    "A deprecated operation was removed after its x-sunset date passed.",
    "This is the announced end of life: clients were told when it would go.",
)
register(
    "api-deprecated",
    N,
    "none",
    "operations",
    "An operation was marked deprecated.",
    "Clients keep working; they should migrate before the sunset date.",
)
register(
    "endpoint-reactivated",
    N,
    "none",
    "operations",
    "A deprecated operation is no longer deprecated.",
    "Nothing breaks; the deprecation notice is withdrawn.",
)
register(
    "api-sunset-date-brought-forward",
    W,
    "none",
    "operations",
    "The x-sunset date of a deprecated operation moved earlier.",
    "Clients planned their migration against the old date.",
)
register(
    "api-operation-id-changed",
    W,
    "none",
    "operations",
    "The operationId of an operation changed.",
    "The wire format is unchanged, but generated SDKs rename the method, breaking code that calls it.",
)
register(
    "path-parameter-renamed",
    N,
    "request",
    "operations",
    "A path parameter was renamed at the same position (e.g. {id} to {orderId}).",
    "Path parameters are positional on the wire; only documentation and generated names change.",
)
register(
    "api-server-removed",
    W,
    "none",
    "operations",
    "A server URL was removed from the document.",
    "Clients configured with that base URL may stop reaching the API.",
)

# -- parameters ------------------------------------------------------------------------------------
register(
    "new-required-request-parameter",
    E,
    "request",
    "parameters",
    "A required parameter was added.",
    "Existing clients do not send it and are rejected.",
)
register(
    "new-optional-request-parameter",
    N,
    "request",
    "parameters",
    "An optional parameter was added.",
    "Clients may send it; nobody has to.",
    additive=True,
)
register(
    "request-parameter-removed",
    W,
    "request",
    "parameters",
    "A parameter was removed.",
    "Clients still send it; the service ignores it now, silently changing the result (e.g. a filter).",
)
register(
    "request-parameter-location-changed",
    E,
    "request",
    "parameters",
    "A parameter moved to another location (e.g. from query to header).",
    "Clients keep sending it where it was; the service no longer looks there.",
)
register(
    "request-parameter-became-required",
    E,
    "request",
    "parameters",
    "A parameter became required.",
    "Clients that omit it are rejected.",
)
register(
    "request-parameter-became-optional",
    N,
    "request",
    "parameters",
    "A parameter became optional.",
    "Every request that was valid stays valid.",
)
register(
    "request-parameter-style-changed",
    E,
    "request",
    "parameters",
    "The serialisation style of a parameter changed.",
    "Clients serialise the value the old way (OpenAPI 3.1 §4.8.12.4); the service parses it differently.",
)
register(
    "request-parameter-explode-changed",
    E,
    "request",
    "parameters",
    "The explode flag of a parameter changed.",
    "Arrays and objects are serialised differently (OpenAPI 3.1 §4.8.12.4); existing clients break.",
)
register(
    "request-parameter-deprecated",
    N,
    "request",
    "parameters",
    "A parameter was marked deprecated.",
    "Clients keep working; they should stop sending it.",
)

# -- request bodies --------------------------------------------------------------------------------
register(
    "request-body-became-required",
    E,
    "request",
    "request-body",
    "The request body became required.",
    "Clients that call without a body are rejected.",
)
register(
    "request-body-became-optional",
    N,
    "request",
    "request-body",
    "The request body became optional.",
    "Every request that was valid stays valid.",
)
register(
    "new-required-request-body",
    E,
    "request",
    "request-body",
    "A required request body was added to an operation that had none.",
    "Existing clients send no body.",
)
register(
    "new-optional-request-body",
    N,
    "request",
    "request-body",
    "An optional request body was added to an operation that had none.",
    "Nobody has to send it.",
    additive=True,
)
register(
    "request-body-removed",
    W,
    "request",
    "request-body",
    "The request body was removed.",
    "Clients still send a body that the service now ignores.",
)
register(
    "request-body-media-type-removed",
    E,
    "request",
    "request-body",
    "A media type of the request body is no longer accepted.",
    "Clients sending that Content-Type get 415 Unsupported Media Type.",
)
register(
    "request-body-media-type-added",
    N,
    "request",
    "request-body",
    "The request body accepts a new media type.",
    "Clients may use it; nobody has to.",
    additive=True,
)

# -- responses -------------------------------------------------------------------------------------
register(
    "response-success-status-removed",
    E,
    "response",
    "responses",
    "A success (2xx) response was removed.",
    "Clients handle the documented success status; the service now answers with another one.",
)
register(
    "response-non-success-status-removed",
    W,
    "response",
    "responses",
    "A non-success response (3xx-5xx, default) was removed.",
    "Clients that handle that error specifically may misbehave; the service should still answer it.",
)
register(
    "response-success-status-added",
    N,
    "response",
    "responses",
    "A success (2xx) response was added.",
    "Documents a new outcome; well-behaved clients treat any 2xx as success.",
    additive=True,
)
register(
    "response-non-success-status-added",
    N,
    "response",
    "responses",
    "A non-success response was added.",
    "Documents an error the service may return; clients treat it by its status class.",
    additive=True,
)
register(
    "response-media-type-removed",
    E,
    "response",
    "responses",
    "A media type of a response was removed.",
    "Clients asking for that media type (Accept) no longer get it.",
)
register(
    "response-media-type-added",
    N,
    "response",
    "responses",
    "A response has a new media type.",
    "Returned only to clients that ask for it.",
    additive=True,
)
register(
    "response-required-header-removed",
    E,
    "response",
    "responses",
    "A required response header was removed.",
    "Clients rely on required headers (e.g. ETag, Location).",
)
register(
    "response-header-removed",
    W,
    "response",
    "responses",
    "An optional response header was removed.",
    "Clients that use it when present lose the information.",
)
register(
    "response-header-became-optional",
    E,
    "response",
    "responses",
    "A response header became optional.",
    "Clients rely on a required header always being present.",
)
register(
    "response-header-added",
    N,
    "response",
    "responses",
    "A response header was added.",
    "Clients ignore headers they do not know.",
    additive=True,
)

# -- security --------------------------------------------------------------------------------------
register(
    "api-security-added",
    E,
    "request",
    "security",
    "An operation that accepted anonymous calls now requires authentication.",
    "Existing anonymous clients get 401.",
)
register(
    "api-security-removed",
    E,
    "request",
    "security",
    "A security requirement alternative of an operation was removed.",
    "Clients authenticating that way get 401 (OpenAPI 3.1 §4.8.30: alternatives are OR-ed).",
)
register(
    "api-security-scope-added",
    E,
    "request",
    "security",
    "A security requirement of an operation needs an additional scope.",
    "Tokens issued for the old scopes are rejected with 403.",
)
register(
    "api-security-scope-removed",
    N,
    "request",
    "security",
    "A security requirement of an operation needs fewer scopes.",
    "Every token that worked still works.",
)
register(
    "api-security-alternative-added",
    N,
    "request",
    "security",
    "An operation accepts an additional way to authenticate.",
    "Existing credentials keep working.",
    additive=True,
)
register(
    "api-security-made-public",
    N,
    "request",
    "security",
    "An operation no longer requires authentication.",
    "Existing credentials are simply not needed; review that this is intended.",
)
register(
    "security-scheme-changed",
    E,
    "request",
    "security",
    "A security scheme changed how credentials are presented (type, header name, token URL, ...).",
    "Clients present credentials the old way and are rejected.",
)

# -- AsyncAPI --------------------------------------------------------------------------------------
register(
    "channel-added", N, "none", "asyncapi", "A channel was added.", "Nobody depends on it yet.", additive=True
)
register(
    "channel-removed",
    E,
    ("publish", "subscribe", "none"),
    "asyncapi",
    "A channel was removed.",
    "Consumers (or producers) of the channel lose it.",
)
register(
    "channel-address-changed",
    E,
    ("publish", "subscribe", "none"),
    "asyncapi",
    "The address (topic, routing key) of a channel changed.",
    "Consumers bound to the old address receive nothing; producers publish where nobody listens.",
)
register(
    "channel-binding-changed",
    E,
    ("publish", "subscribe", "none"),
    "asyncapi",
    "A protocol binding of a channel changed (e.g. the AMQP exchange).",
    "Consumers and producers are bound to the old exchange, queue or topic settings.",
)
register(
    "async-operation-added",
    N,
    ("publish", "subscribe"),
    "asyncapi",
    "An operation was added.",
    "Nobody depends on it yet.",
    additive=True,
)
register(
    "async-operation-removed",
    E,
    ("publish", "subscribe"),
    "asyncapi",
    "An operation was removed (the service stops sending or receiving on a channel).",
    "Consumers stop getting events, or producers' events are no longer processed.",
)
register(
    "async-operation-action-changed",
    E,
    ("publish", "subscribe"),
    "asyncapi",
    "An operation changed its action (send <-> receive).",
    "Both sides' expectations are inverted.",
)
register(
    "message-removed",
    E,
    ("publish", "subscribe"),
    "asyncapi",
    "A message was removed from an operation.",
    "Consumers no longer get those events, or producers' events are no longer accepted.",
)
register(
    "sent-message-added",
    W,
    "publish",
    "asyncapi",
    "The service sends a new kind of message on a channel.",
    "Consumers of the channel receive a message they do not know how to read.",
    additive=True,
)
register(
    "received-message-added",
    N,
    "subscribe",
    "asyncapi",
    "The service accepts a new kind of message on a channel.",
    "Producers may send it; nobody has to.",
    additive=True,
)
register(
    "message-content-type-changed",
    E,
    ("publish", "subscribe"),
    "asyncapi",
    "The content type of a message changed.",
    "The other side decodes the payload the old way.",
)

# -- versioning ------------------------------------------------------------------------------------
register(
    "version-bump-required",
    E,
    "none",
    "versioning",
    "An error-level change was made but info.version's major number did not increase.",
    "Semantic versioning: incompatible changes need a new major version (0.x: a new minor).",
)
