"""Schema: money and quantities as decimal strings, bounded and closed requests, dates, GS1 identifiers.

Every check walks the distinct schemas of :func:`~accord.lint.functions.schema_usage` once, so a
shared schema is judged once (and the runner reports it once across documents).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accord.lint._schema_helpers import (
    COMPOSITION,
    alternatives,
    branches,
    flatten,
    is_object_schema,
    is_unresolved,
    last_word,
    merged_keyword,
    merged_types,
    option_words,
    properties_ending_in,
    words,
)
from accord.lint.functions import REQUEST, is_request_only, iter_schemas, schema_usage
from accord.lint.registry import BOTH, OPENAPI, RuleContext, Violation, rule
from accord.loader import Document
from accord.model import Severity
from accord.spec.schema import schema_types

NUMERIC = frozenset({"number", "integer"})

MONEY_WORDS = (
    "amount",
    "amounts",
    "balance",
    "charge",
    "charges",
    "cost",
    "costs",
    "credit",
    "deposit",
    "discount",
    "fee",
    "fees",
    "payment",
    "price",
    "prices",
    "rebate",
    "refund",
    "revenue",
    "subtotal",
    "surcharge",
    "tax",
    "taxes",
    "total",
)
QUANTITY_WORDS = ("quantity", "quantities", "qty")
#: Formats whose grammar bounds the length of the string (RFC 3339, RFC 4122, RFC 5321, RFC 1123 ...).
BOUNDED_FORMATS = ("date", "date-time", "time", "uuid", "email", "ipv4", "ipv6", "hostname")
TEMPORAL_SUFFIXES = ("at", "date", "on")
TEMPORAL_NAMES = ("timestamp", "time", "date", "datetime")
DATE_FORMATS = frozenset({"date", "date-time"})
#: GS1 General Specifications §3: GTIN-14, GLN (13 digits), SSCC (18 digits); all digits, leading zeros kept.
GS1_PATTERNS = {"gtin": r"^\d{14}$", "gln": r"^\d{13}$", "sscc": r"^\d{18}$"}


def _property_at(doc: Document, owner: dict[str, Any], name: str) -> Any:
    return doc.where(owner["properties"], name)


def _numeric_shape(prop: Any) -> set[str]:
    """JSON number types a property (or, for an array, its items) may take."""
    if not isinstance(prop, dict) or is_unresolved(prop):
        return set()
    parts = alternatives(prop)
    types = merged_types(parts)
    found = types & NUMERIC
    if "array" in types:
        items = merged_keyword(parts, "items")
        if isinstance(items, dict):
            found |= merged_types(alternatives(items)) & NUMERIC
    return found


# --- money ------------------------------------------------------------------------------------


@rule(
    "money-not-float",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="schema",
    summary="Money is never a floating-point number: use `Money` (`{amount: decimal string, currency}`).",
    rationale="""
Binary floating point cannot represent most decimal fractions (IEEE 754): 0.1 + 0.2 is not 0.3,
and JSON parsers are free to read `19.99` as a double (RFC 8259 §6 warns that numbers beyond
IEEE 754 double precision lose precision between implementations). Invoices, credit limits and
taxes must add up to the cent, so money is the shared `Money` schema: a decimal *string* amount
plus an ISO 4217 currency code. The rule flags `type: number` properties whose name ends in a
money word (`amount`, `price`, `unitPrice`, `total`, `taxTotal`, `fee`, `discount`, ...; option
`words`), and a numeric `amount` beside a `currency` in any object (a home-made Money). Integer
money in minor units is not a float and is left alone unless it sits beside a `currency`.
""",
    good="""
unitPrice:
  $ref: '#/components/schemas/Money'   # {amount: '38.50', currency: USD}
""",
    bad="""
unitPrice:
  type: number
  format: double
""",
)
def money_not_float(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    money = option_words(ctx.options.get("words"), MONEY_WORDS)
    yield from _decimal_violations(doc, money | {"amount"}, money, "amount", "currency", _MONEY_TEXT)


_MONEY_TEXT = (
    "`amount` beside `currency` is a JSON {types}: money is a decimal string",
    "use the shared `Money` schema (`amount` is a decimal string such as '38.50')",
    "money property `{name}` is a floating-point number",
    "use the shared `Money` schema: `{amount: decimal string, currency: ISO 4217}`",
)
_QUANTITY_TEXT = (
    "`value` beside `uom` is a JSON {types}: a quantity is a decimal string",
    "use the shared `Quantity` schema (`value` is a decimal string)",
    "quantity property `{name}` is a floating-point number",
    "use the shared `Quantity` schema: `{value: decimal string, uom: UN/ECE Rec 20 code}`",
)


def _decimal_violations(
    doc: Document,
    candidates: frozenset[str],
    float_words: frozenset[str],
    member: str,
    sibling: str,
    text: tuple[str, str, str, str],
) -> Iterator[Violation]:
    """Numeric ``member`` beside ``sibling`` (a home-made Money/Quantity), or float ``*<word>`` properties."""
    for owner, name, prop in properties_ending_in(doc, candidates):
        paired = name == member and sibling in owner["properties"]
        if not paired and last_word(name) not in float_words:
            continue
        numeric = _numeric_shape(prop)
        if paired and numeric:
            yield Violation(
                _property_at(doc, owner, name), text[0].format(types="/".join(sorted(numeric))), text[1]
            )
        elif "number" in numeric:
            yield Violation(_property_at(doc, owner, name), text[2].format(name=name), text[3])


@rule(
    "no-float-quantity",
    severity=Severity.ERROR,
    applies_to=BOTH,
    family="schema",
    summary="Quantities are `Quantity` (`{value: decimal string, uom}`), never floating-point numbers.",
    rationale="""
A quantity of 2.5 kg or 0.333 cases has the same floating-point problem as money (IEEE 754 binary
fractions), and a bare number says nothing about its unit. Quantities are the shared `Quantity`
schema: a decimal string `value` and a UN/ECE Recommendation 20 unit code `uom`. The rule flags
`type: number` properties whose name ends in `quantity`/`qty` (option `words`) and a numeric
`value` beside a `uom` in any object (a home-made Quantity). Integer counts (seats, pages) are left
alone.
""",
    good="""
orderedQuantity:
  $ref: '#/components/schemas/Quantity'   # {value: '40', uom: CS}
""",
    bad="""
orderedQuantity:
  type: number
""",
)
def no_float_quantity(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    quantity = option_words(ctx.options.get("words"), QUANTITY_WORDS)
    yield from _decimal_violations(doc, quantity | {"value"}, quantity, "value", "uom", _QUANTITY_TEXT)


# --- requests ---------------------------------------------------------------------------------


def _string_bounded(node: dict[str, Any], formats: frozenset[str]) -> bool:
    if any(key in node for key in ("maxLength", "pattern", "enum", "const")):
        return True
    return node.get("format") in formats


@rule(
    "request-strings-bounded",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="schema",
    summary="Every string in a request (body or parameter) has `maxLength`, `pattern`, `enum`, `const` or a bounded `format`.",
    rationale="""
An unbounded string lets one client send a megabyte into a name field: it is stored, indexed,
logged and echoed to every consumer (OWASP API Security Top 10 2023, API4 Unrestricted Resource
Consumption). The gateway validates requests against the contract, so the bound belongs there.
Formats with a fixed grammar bound the length themselves: `date`, `date-time`, `time` (RFC 3339),
`uuid` (RFC 4122), `email`, `ipv4`, `ipv6`, `hostname` (option `formats`). A string whose `allOf`
combination declares a bound in any member counts as bounded.
""",
    good="""
customerPurchaseOrder:
  type: string
  maxLength: 35
""",
    bad="""
customerPurchaseOrder:
  type: string
""",
)
def request_strings_bounded(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    formats = option_words(ctx.options.get("formats"), BOUNDED_FORMATS)
    uses = list(iter_schemas(doc, REQUEST))
    covered: set[int] = set()
    for use in uses:
        if isinstance(use.node.get("allOf"), list):
            group = flatten(use.node)
            if any(_string_bounded(part, formats) for part in group):
                covered.update(id(part) for part in group)
    for use in uses:
        node = use.node
        if "string" not in schema_types(node) or id(node) in covered or _string_bounded(node, formats):
            continue
        yield Violation(
            doc.where(node),
            "request string has no bound: no maxLength, pattern, enum, const or bounded format",
            "add `maxLength` (or a `pattern`/`enum`/`format` that bounds it)",
        )


@rule(
    "request-no-additional-properties",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="schema",
    summary="Object schemas used only in requests are closed (`additionalProperties: false`).",
    rationale="""
A request schema that accepts unknown members silently drops a misspelt `requestedDeliveryDte`,
and lets clients depend on members the server happens to read (mass assignment, OWASP API3:2023
Broken Object Property Level Authorization). Closing request objects makes the gateway reject
both with a 400. `additionalProperties` may also be a schema (a typed map). An object that is also
used in a response is judged by the response side (responses stay open to additive change) and is
skipped. Composition roots (`allOf`/`oneOf`/`anyOf`) and `allOf` members are exempt: JSON Schema's
`additionalProperties` only sees the `properties` written beside it (2020-12 Core §10.3.2.3), so
closing one member of an `allOf` rejects the properties of every other member; the shared subset of
OpenAPI 3.1 and AsyncAPI 3.0 has no `unevaluatedProperties` to close the combination.
""",
    good="""
CancelOrderRequest:
  type: object
  additionalProperties: false
  required: [reasonCode]
  properties:
    reasonCode: {type: string, enum: [customer_request, duplicate_order]}
""",
    bad="""
CancelOrderRequest:
  type: object
  required: [reasonCode]
  properties:
    reasonCode: {type: string, enum: [customer_request, duplicate_order]}
""",
)
def request_no_additional_properties(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    members = branches(doc).all_of
    for use in iter_schemas(doc, REQUEST):
        node = use.node
        if not is_request_only(use) or not is_object_schema(node) or id(node) in members:
            continue
        if any(key in node for key in COMPOSITION):
            continue
        extra = node.get("additionalProperties")
        if extra is False or (isinstance(extra, dict) and extra):
            continue
        if node.get("unevaluatedProperties") is False:
            continue
        yield Violation(
            doc.where(node, "additionalProperties") if "additionalProperties" in node else doc.where(node),
            "request object accepts undeclared properties",
            "add `additionalProperties: false`",
        )


@rule(
    "numeric-bounds",
    severity=Severity.WARN,
    applies_to=[OPENAPI],
    family="schema",
    summary="Integers and numbers in requests declare `minimum` and `maximum`.",
    rationale="""
An unbounded number in a request reaches the database as `-1` lines or a `limit` of 10^12 (OWASP
API Security Top 10 2023, API4 Unrestricted Resource Consumption) and overflows 32/64-bit columns
downstream. Both ends are declared (`minimum`/`exclusiveMinimum`, `maximum`/`exclusiveMaximum`),
or the value is an `enum`/`const`.
""",
    good="""
limit:
  type: integer
  minimum: 1
  maximum: 100
""",
    bad="""
limit:
  type: integer
""",
)
def numeric_bounds(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for use in iter_schemas(doc, REQUEST):
        node = use.node
        if not schema_types(node) & NUMERIC or "enum" in node or "const" in node:
            continue
        missing = [
            bound
            for bound, keys in (
                ("minimum", ("minimum", "exclusiveMinimum")),
                ("maximum", ("maximum", "exclusiveMaximum")),
            )
            if not any(_is_number(node.get(key)) for key in keys)
        ]
        if missing:
            yield Violation(
                doc.where(node),
                f"request {'/'.join(sorted(schema_types(node) & NUMERIC))} has no {' or '.join(missing)}",
                "declare the range the server accepts",
            )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- structure of object schemas ------------------------------------------------------------


@rule(
    "object-required-declared",
    severity=Severity.WARN,
    applies_to=BOTH,
    family="schema",
    summary="Object schemas with properties declare `required` (an empty list is a declaration).",
    rationale="""
JSON Schema makes every property optional unless it is listed in `required` (2020-12 Validation
§6.5.3), so a schema without `required` tells a consumer nothing about which members it can rely
on, and code generators make every field optional. Declaring the list, even as `required: []`,
records the decision; the resource identifier belongs in it. An object without properties (a free
map, such as a CloudEvents `data` placeholder) has nothing to require and is not judged.
""",
    good="""
Address:
  type: object
  required: [line1, city, countryCode]
  properties:
    line1: {type: string, maxLength: 100}
""",
    bad="""
Address:
  type: object
  properties:
    line1: {type: string, maxLength: 100}
""",
)
def object_required_declared(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    for use in schema_usage(doc).values():
        node = use.node
        properties = node.get("properties")
        if not isinstance(properties, dict) or not properties or not is_object_schema(node):
            continue
        required = node.get("required")
        if isinstance(required, list):
            continue
        if required is None:
            yield Violation(
                doc.where(node),
                "object schema has properties but no `required` list",
                "list the properties every instance has (`required: []` if none)",
            )
        else:
            yield Violation(
                doc.where(node, "required"),
                "`required` of an object schema must be a list of property names",
                "write `required: [name, ...]` (OpenAPI 3 has no boolean `required` on properties)",
            )


@rule(
    "schema-type-declared",
    severity=Severity.HINT,
    applies_to=BOTH,
    family="schema",
    summary="Every schema declares `type`, unless it is a composition, `const` or `enum`.",
    rationale="""
A schema without `type` accepts every JSON type for which its keywords do not apply: `{maxLength:
10}` also accepts `42` and `{}` (JSON Schema 2020-12 Validation §6: each keyword constrains only its
own instance type). Code generators then produce `Any`. Compositions (`allOf`/`oneOf`/`anyOf`,
`not`), their members, `if`/`then`/`else` branches, `const` and `enum` are exempt: their type comes
from the combination or the value. Not in the recommended set: deliberate `{}` schemas exist.
""",
    good="""
sku:
  type: string
  maxLength: 40
""",
    bad="""
sku:
  maxLength: 40
""",
    recommended=False,
)
def schema_type_declared(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    exempt = branches(doc).composed
    for use in schema_usage(doc).values():
        node = use.node
        if schema_types(node) or id(node) in exempt or is_unresolved(node):
            continue
        if any(key in node for key in (*COMPOSITION, "not", "const", "enum")):
            continue
        yield Violation(
            doc.where(node),
            "schema declares no `type`" + ("" if node else ": `{}` accepts any JSON value"),
            "add `type` (object, array, string, number, integer, boolean)",
        )


# --- names that imply a format --------------------------------------------------------------


def _is_temporal(name: str, suffixes: frozenset[str], names: frozenset[str]) -> bool:
    if name.lower() in names:
        return True
    found = words(name)
    return len(found) > 1 and found[-1] in suffixes


@rule(
    "date-time-format",
    severity=Severity.WARN,
    applies_to=BOTH,
    family="schema",
    summary="Properties named `*At`, `*Date`, `*On`, `timestamp` or `time` are RFC 3339 `date-time`/`date` strings.",
    rationale="""
Dates and times travel as RFC 3339 strings (`format: date-time` for instants with an offset,
`format: date` for calendar dates; RFC 3339 §5.6, JSON Schema 2020-12 Validation §7.3.1). Unix
epoch numbers lose the offset, are ambiguous between seconds and milliseconds, and a string
without a format is parsed by guessing. The rule recognises temporal names by their last word
(`createdAt`, `requestedDeliveryDate`, `shippedOn`, `paid_at`; option `suffixes`) and the whole
names `timestamp`, `time`, `date`, `datetime` (option `names`).
""",
    good="""
createdAt:
  type: string
  format: date-time
""",
    bad="""
createdAt:
  type: integer
  description: Unix epoch seconds.
""",
)
def date_time_format(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    suffixes = option_words(ctx.options.get("suffixes"), TEMPORAL_SUFFIXES)
    names = option_words(ctx.options.get("names"), TEMPORAL_NAMES)
    for owner, name, prop in properties_ending_in(doc, suffixes | names):
        if not isinstance(prop, dict) or is_unresolved(prop) or not _is_temporal(name, suffixes, names):
            continue
        parts = alternatives(prop)
        types = merged_types(parts) - {"null"}
        formats = {part.get("format") for part in parts if "format" in part}
        if types <= {"string"} and formats and formats <= DATE_FORMATS:
            continue
        if types - {"string"}:
            problem = f"is typed `{'/'.join(sorted(types))}`"
        elif not formats:
            problem = "is a string without a format"
        else:
            problem = f"has format `{'/'.join(sorted(str(f) for f in formats))}`"
        yield Violation(
            _property_at(doc, owner, name),
            f"`{name}` looks like a date or time but {problem}: expected an RFC 3339 `date-time` or `date` string",
            "use `type: string` with `format: date-time` (an instant) or `format: date` (a calendar day)",
        )


def _pattern_key(pattern: str) -> str:
    """Spellings of one digit pattern compare equal: ``[0-9]`` is ``\\d``."""
    return pattern.replace("[0-9]", r"\d")


@rule(
    "gs1-identifier-pattern",
    severity=Severity.WARN,
    applies_to=BOTH,
    family="schema",
    summary="GS1 identifiers (`gtin`, `gln`, `sscc`) are digit strings with their GS1 length pattern.",
    rationale="""
GS1 keys are fixed-length digit strings whose leading zeros matter (GS1 General Specifications
§3): GTIN-14 (`^\\d{14}$`, shorter GTINs left-padded), GLN (`^\\d{13}$`) and SSCC (`^\\d{18}$`). As
numbers they lose their leading zeros, and without the pattern a 12-digit UPC slips through
unpadded and fails to match at the warehouse scanner. Properties whose last word is `gtin`,
`gln` or `sscc` (`substitutedGtin`, `shipToGln`) are checked; option `patterns` maps a word to
its pattern.
""",
    good="""
gtin:
  type: string
  pattern: '^\\d{14}$'
""",
    bad="""
gtin:
  type: integer
""",
)
def gs1_identifier_pattern(doc: Document, ctx: RuleContext) -> Iterator[Violation]:
    patterns = dict(GS1_PATTERNS)
    custom = ctx.options.get("patterns")
    if isinstance(custom, dict):
        patterns.update({str(k).lower(): str(v) for k, v in custom.items() if isinstance(v, str)})
    for owner, name, prop in properties_ending_in(doc, patterns):
        key = last_word(name)
        expected = patterns.get(key)
        if expected is None or not isinstance(prop, dict) or is_unresolved(prop):
            continue
        parts = alternatives(prop)
        types = merged_types(parts) - {"null"}
        pattern = merged_keyword(parts, "pattern")
        if (
            types <= {"string"}
            and isinstance(pattern, str)
            and _pattern_key(pattern) == _pattern_key(expected)
        ):
            continue
        if types - {"string"}:
            problem = (
                f"is typed `{'/'.join(sorted(types))}`: GS1 keys are digit strings (leading zeros matter)"
            )
        elif pattern is None:
            problem = "has no pattern"
        else:
            problem = f"has pattern `{pattern}`"
        yield Violation(
            _property_at(doc, owner, name),
            f"{key.upper()} property `{name}` {problem}; expected a string with pattern `{expected}`",
            f"use `type: string` with `pattern: '{expected}'` (or the shared schema)",
        )
