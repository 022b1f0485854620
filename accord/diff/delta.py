"""Structural delta of two resolved documents: what differs, with no judgement of whether it breaks.

The delta compares the *resolved* graphs, so a schema moved into ``components`` or a renamed
component is no change. Schema pairs are memoised on ``(id(base), id(revision))``: a shared schema is
compared once however many operations use it, and recursive schemas terminate (a pair met again
while it is being compared is taken as equal so far). Operations are matched by method and path with
path parameter names normalised, parameters by ``(in, name)``, ``oneOf``/``anyOf`` alternatives by
structural similarity. The rules in :mod:`accord.diff.rules` judge the delta.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from accord.diff._schema import BOUNDS, MISSING, Norm, Normalizer, value_key
from accord.loader import Document
from accord.spec import AsyncOperation, Channel, Message, Operation, iter_operations
from accord.spec.asyncapi import iter_channels
from accord.spec.asyncapi import iter_operations as iter_async_operations

_PARAM = re.compile(r"\{[^}/]*\}")
_EMPTY: dict[str, Any] = {}
_MISSING_KEY = object()
#: Schema keywords that document but do not constrain (JSON Schema 2020-12 §9, OpenAPI 3.1 §4.8.24).
_DOC_KEYS = frozenset({"description", "title", "example", "examples", "externalDocs", "$comment", "xml"})
_LITERAL_KEYS = frozenset({"enum", "const", "default"})
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def path_template(path: str) -> str:
    """``/v1/orders/{id}`` -> ``/v1/orders/{}``: how operations are matched across a rename."""
    return _PARAM.sub("{}", path)


def path_param_names(path: str) -> list[str]:
    return [m.group(0)[1:-1] for m in _PARAM.finditer(path)]


# -- schema delta ---------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class ValueChange:
    """One keyword whose value differs: ``type``, ``nullable``, ``enum``, a bound name, ``pattern``, ..."""

    keyword: str
    before: Any
    after: Any


@dataclass(eq=False)
class SchemaDelta:
    """Differences between two schemas (normalised). Children are only kept when they differ."""

    base: Norm
    rev: Norm
    values: list[ValueChange] = field(default_factory=list)
    added: dict[str, Any] = field(default_factory=dict)  # property -> revision schema
    removed: dict[str, Any] = field(default_factory=dict)  # property -> base schema
    props: dict[str, SchemaDelta] = field(default_factory=dict)
    required_added: frozenset[str] = frozenset()
    required_removed: frozenset[str] = frozenset()
    items: SchemaDelta | None = None
    additional: SchemaDelta | None = None
    alt_kind: str | None = None
    alts_added: list[Any] = field(default_factory=list)
    alts_removed: list[Any] = field(default_factory=list)
    alts: list[SchemaDelta] = field(default_factory=list)

    def empty(self) -> bool:
        return not (
            self.values
            or self.added
            or self.removed
            or self.props
            or self.required_added
            or self.required_removed
            or self.items
            or self.additional
            or self.alts_added
            or self.alts_removed
            or self.alts
        )


# -- OpenAPI delta ---------------------------------------------------------------------------------


@dataclass(eq=False)
class ContentDelta:
    """Media types of a ``content`` map: added, removed, and matched ones whose schema differs."""

    base: dict[str, Any]
    rev: dict[str, Any]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, str, SchemaDelta]] = field(default_factory=list)  # base mt, rev mt, delta

    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(eq=False)
class ParamDelta:
    base: dict[str, Any]
    rev: dict[str, Any]
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # required, style, explode, deprecated
    schema: SchemaDelta | None = None


@dataclass(eq=False)
class HeaderDelta:
    name: str
    base: dict[str, Any]
    rev: dict[str, Any]
    required: tuple[bool, bool] | None = None
    schema: SchemaDelta | None = None


@dataclass(eq=False)
class ResponseDelta:
    base_code: str
    rev_code: str
    base: dict[str, Any]
    rev: dict[str, Any]
    content: ContentDelta | None = None
    headers_added: dict[str, Any] = field(default_factory=dict)
    headers_removed: dict[str, Any] = field(default_factory=dict)
    headers: list[HeaderDelta] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.content or self.headers_added or self.headers_removed or self.headers)


@dataclass(eq=False)
class OperationDelta:
    base: Operation
    rev: Operation
    renamed_params: list[tuple[str, str]] = field(default_factory=list)  # (base name, revision name)
    params_added: list[dict[str, Any]] = field(default_factory=list)
    params_removed: list[dict[str, Any]] = field(default_factory=list)
    params: list[ParamDelta] = field(default_factory=list)
    body: tuple[dict[str, Any] | None, dict[str, Any] | None] | None = None  # only when it changed
    body_content: ContentDelta | None = None
    responses_added: dict[str, dict[str, Any]] = field(default_factory=dict)
    responses_removed: dict[str, dict[str, Any]] = field(default_factory=dict)
    responses: list[ResponseDelta] = field(default_factory=list)
    security: tuple[list[Any] | None, list[Any] | None] | None = None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # deprecated, x-sunset, operationId


@dataclass(eq=False)
class SchemeDelta:
    name: str
    base: dict[str, Any]
    rev: dict[str, Any]
    fields: dict[str, tuple[Any, Any]]


@dataclass(eq=False)
class OpenApiDelta:
    base: Document
    rev: Document
    added: list[Operation] = field(default_factory=list)
    removed: list[Operation] = field(default_factory=list)
    removed_paths: set[str] = field(default_factory=set)  # base paths with no counterpart at all
    operations: list[OperationDelta] = field(default_factory=list)
    servers_removed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    schemes: list[SchemeDelta] = field(default_factory=list)


# -- AsyncAPI delta --------------------------------------------------------------------------------


@dataclass(eq=False)
class MessageDelta:
    base: Message
    rev: Message
    content_type: tuple[str | None, str | None] | None = None
    payload: SchemaDelta | None = None
    headers: SchemaDelta | None = None


@dataclass(eq=False)
class AsyncOperationDelta:
    base: AsyncOperation
    rev: AsyncOperation
    action: tuple[str, str] | None = None
    messages_added: list[Message] = field(default_factory=list)
    messages_removed: list[Message] = field(default_factory=list)
    messages: list[MessageDelta] = field(default_factory=list)


@dataclass(eq=False)
class ChannelDelta:
    base: Channel
    rev: Channel
    address: tuple[str | None, str | None] | None = None
    bindings: list[str] = field(default_factory=list)  # protocols whose binding changed


@dataclass(eq=False)
class AsyncApiDelta:
    base: Document
    rev: Document
    channels_added: list[Channel] = field(default_factory=list)
    channels_removed: list[Channel] = field(default_factory=list)
    channels: list[ChannelDelta] = field(default_factory=list)
    added: list[AsyncOperation] = field(default_factory=list)
    removed: list[AsyncOperation] = field(default_factory=list)
    operations: list[AsyncOperationDelta] = field(default_factory=list)


# -- the differ ------------------------------------------------------------------------------------


class Differ:
    """Computes deltas for one (base, revision) pair of documents; holds the memo tables."""

    def __init__(self, base: Document, rev: Document) -> None:
        self.base_doc = base
        self.rev_doc = rev
        self.norms = Normalizer()
        self._memo: dict[tuple[int, int], SchemaDelta | None] = {}
        self._eq: dict[tuple[int, int, bool], bool] = {}

    # -- schemas ---------------------------------------------------------------------------------
    def schema(self, base: Any, rev: Any) -> SchemaDelta | None:
        """The delta of two schemas, or None when they allow the same (as far as the rules judge)."""
        if base is rev:
            return None
        key = (id(base), id(rev))
        if key in self._memo:
            return self._memo[key]
        if self._same(base, rev):
            self._memo[key] = None
            return None
        nb, nr = self.norms.norm(base), self.norms.norm(rev)
        delta = SchemaDelta(nb, nr)
        self._memo[key] = delta  # a pair met again while comparing it (recursion) is equal so far
        self._fill(delta, nb, nr)
        if delta.empty():
            self._memo[key] = None
            return None
        return delta

    def _same(self, base: Any, rev: Any, names: bool = False) -> bool:
        """Are two schema subtrees equal, ignoring documentation keywords? Cheap, allocation-free,
        memoised on identity pairs; a pair met again while being compared counts as equal.
        ``names`` marks a map of names (``properties``), whose keys are all significant."""
        if base is rev:
            return True
        kind = type(base)
        if kind is not type(rev):
            return False
        if kind is dict:
            key = (id(base), id(rev), names)
            known = self._eq.get(key)
            if known is not None:
                return known
            self._eq[key] = True
            same = len(base) == len(rev) if names else True
            if same:
                for name, value in base.items():
                    if not names and (name in _DOC_KEYS or name[:2] == "x-"):
                        continue
                    other = rev.get(name, _MISSING_KEY)
                    if other is _MISSING_KEY:
                        same = False
                    elif not names and name in _LITERAL_KEYS:
                        same = value_key(value) == value_key(other)
                    else:
                        same = self._same(value, other, not names and name in _NAME_MAPS)
                    if not same:
                        break
            if same and not names:
                for name in rev:
                    if name not in base and name not in _DOC_KEYS and name[:2] != "x-":
                        same = False
                        break
            self._eq[key] = same
            return same
        if kind is list:
            return len(base) == len(rev) and all(self._same(a, b) for a, b in zip(base, rev, strict=True))
        return bool(base == rev) and type(base) is type(rev)

    def _fill(self, d: SchemaDelta, b: Norm, r: Norm) -> None:
        values = d.values
        if b.alt_kind and r.alt_kind:
            self._alternatives(d, list(b.alternatives), list(r.alternatives), b.alt_kind, r.alt_kind)
        elif b.alt_kind or r.alt_kind:
            alt_side = b if b.alt_kind else r
            if alt_side.types is None and not alt_side.properties:
                # `X` became `oneOf: [X', Y]` (or back): X is compared as one of the alternatives
                b_alts = list(b.alternatives) if b.alt_kind else [b.node]
                r_alts = list(r.alternatives) if r.alt_kind else [r.node]
                self._alternatives(d, b_alts, r_alts, b.alt_kind, r.alt_kind)
                return
            d.alt_kind = alt_side.alt_kind
            if b.alt_kind:
                d.alts_removed = list(b.alternatives)
            else:
                d.alts_added = list(r.alternatives)
        if b.never != r.never:
            values.append(ValueChange("never", b.never, r.never))
        if b.types != r.types:
            values.append(ValueChange("type", b.types, r.types))
        if b.nullable != r.nullable:
            values.append(ValueChange("nullable", b.nullable, r.nullable))
        if b.format != r.format:
            values.append(ValueChange("format", b.format, r.format))
        if b.enum != r.enum and _enum_keys(b.enum) != _enum_keys(r.enum):
            values.append(ValueChange("enum", b.enum, r.enum))
        if b.bounds != r.bounds:
            for name in BOUNDS:
                if b.bounds.get(name) != r.bounds.get(name):
                    values.append(ValueChange(name, b.bounds.get(name), r.bounds.get(name)))
        if b.multiple_of != r.multiple_of:
            values.append(ValueChange("multipleOf", b.multiple_of, r.multiple_of))
        if b.pattern != r.pattern:
            values.append(ValueChange("pattern", b.pattern, r.pattern))
        if b.default is not r.default and (
            b.default is MISSING or r.default is MISSING or value_key(b.default) != value_key(r.default)
        ):
            values.append(ValueChange("default", b.default, r.default))
        for attr, keyword in (
            ("read_only", "readOnly"),
            ("write_only", "writeOnly"),
            ("unique_items", "uniqueItems"),
            ("deprecated", "deprecated"),
        ):
            if getattr(b, attr) != getattr(r, attr):
                values.append(ValueChange(keyword, getattr(b, attr), getattr(r, attr)))
        self._additional(d, b, r)
        if b.properties or r.properties:
            self._properties(d, b, r)
        if b.required != r.required:
            d.required_added = r.required - b.required
            d.required_removed = b.required - r.required
        if b.items is not None or r.items is not None:
            d.items = self.schema(
                _EMPTY if b.items is None else b.items, _EMPTY if r.items is None else r.items
            )

    def _additional(self, d: SchemaDelta, b: Norm, r: Norm) -> None:
        ba, ra = b.additional, r.additional
        if isinstance(ba, dict) and isinstance(ra, dict):
            d.additional = self.schema(ba, ra)
        elif ba is not ra and not (isinstance(ba, dict) and isinstance(ra, dict)):
            before = "schema" if isinstance(ba, dict) else ba
            after = "schema" if isinstance(ra, dict) else ra
            if before != after:
                d.values.append(ValueChange("additionalProperties", before, after))

    def _properties(self, d: SchemaDelta, b: Norm, r: Norm) -> None:
        bp, rp = b.properties, r.properties
        for name, schema in bp.items():
            other = rp.get(name, MISSING)
            if other is MISSING:
                d.removed[name] = schema
                continue
            child = self.schema(schema, other)
            if child is not None:
                d.props[name] = child
        for name, schema in rp.items():
            if name not in bp:
                d.added[name] = schema

    def _alternatives(
        self, d: SchemaDelta, b_alts: list[Any], r_alts: list[Any], b_kind: str | None, r_kind: str | None
    ) -> None:
        d.alt_kind = r_kind or b_kind
        pairs = self._match(b_alts, r_alts)
        matched_b = {i for i, _ in pairs}
        matched_r = {j for _, j in pairs}
        for i, j in pairs:
            child = self.schema(b_alts[i], r_alts[j])
            if child is not None:
                d.alts.append(child)
        d.alts_removed = [a for i, a in enumerate(b_alts) if i not in matched_b]
        d.alts_added = [a for j, a in enumerate(r_alts) if j not in matched_r]

    def _match(self, b_alts: list[Any], r_alts: list[Any]) -> list[tuple[int, int]]:
        """Pair alternatives by best structural similarity (not by index)."""
        if len(b_alts) == 1 and len(r_alts) == 1:
            return [(0, 0)]
        scored: list[tuple[float, int, int]] = []
        for i, ba in enumerate(b_alts):
            for j, ra in enumerate(r_alts):
                score = self._similarity(ba, ra)
                if score > 0.5:
                    scored.append((-score, i, j))
        scored.sort()
        used_b: set[int] = set()
        used_r: set[int] = set()
        pairs: list[tuple[int, int]] = []
        for _score, i, j in scored:
            if i not in used_b and j not in used_r:
                used_b.add(i)
                used_r.add(j)
                pairs.append((i, j))
        return pairs

    def _similarity(self, ba: Any, ra: Any) -> float:
        nb, nr = self.norms.norm(ba), self.norms.norm(ra)
        score = 0.0
        bw, rw = self.base_doc.written_at(ba), self.rev_doc.written_at(ra)
        if bw and rw and bw[1].rsplit("/", 1)[-1] == rw[1].rsplit("/", 1)[-1] and "/" in bw[1]:
            score += 4
        if isinstance(ba, dict) and isinstance(ra, dict):
            title = ba.get("title")
            if isinstance(title, str) and title == ra.get("title"):
                score += 2
        if nb.types == nr.types:
            score += 1 if nb.types is not None else 0.25
        if nb.properties or nr.properties:
            bk, rk = set(nb.properties), set(nr.properties)
            score += 2 * len(bk & rk) / len(bk | rk)
            for name in bk & rk:
                bv, rv = self.norms.norm(nb.properties[name]), self.norms.norm(nr.properties[name])
                if bv.enum and rv.enum and len(bv.enum) == 1 and len(rv.enum) == 1:
                    score += 3 if value_key(bv.enum[0]) == value_key(rv.enum[0]) else -3
        if nb.enum and nr.enum and set(map(value_key, nb.enum)) & set(map(value_key, nr.enum)):
            score += 1
        return score

    # -- OpenAPI ---------------------------------------------------------------------------------
    def openapi(self) -> OpenApiDelta:
        result = OpenApiDelta(self.base_doc, self.rev_doc)
        base_ops = list(iter_operations(self.base_doc))
        rev_ops = list(iter_operations(self.rev_doc))
        rev_index = _index_operations(rev_ops)
        rev_paths = {path_template(op.path) for op in rev_ops}
        matched: set[int] = set()
        for op in base_ops:
            other = _find_operation(rev_index, op)
            if other is None:
                result.removed.append(op)
                if path_template(op.path) not in rev_paths:
                    result.removed_paths.add(op.path)
                continue
            matched.add(id(other))
            delta = self.operation(op, other)
            if delta is not None:
                result.operations.append(delta)
        result.added = [op for op in rev_ops if id(op) not in matched]
        result.servers_removed = _servers_removed(self.base_doc.data, self.rev_doc.data)
        result.schemes = _schemes(self.base_doc.data, self.rev_doc.data)
        return result

    def operation(self, base: Operation, rev: Operation) -> OperationDelta | None:
        d = OperationDelta(base, rev)
        b_names, r_names = path_param_names(base.path), path_param_names(rev.path)
        rename = {r: b for b, r in zip(b_names, r_names, strict=False) if b != r}
        d.renamed_params = [(b, r) for r, b in rename.items()]
        self._parameters(d, base, rev, rename)
        self._body(d, base.node, rev.node)
        self._responses(d, base.node, rev.node)
        b_sec, r_sec = base.security(self.base_doc.data), rev.security(self.rev_doc.data)
        if _security_key(b_sec) != _security_key(r_sec):
            d.security = (b_sec, r_sec)
        for key in ("deprecated", "x-sunset", "operationId"):
            bv, rv = _field(base, key), _field(rev, key)
            if bv != rv:
                d.fields[key] = (bv, rv)
        if base.path != rev.path and not d.renamed_params:
            d.fields["path"] = (base.path, rev.path)
        empty = not (
            d.renamed_params
            or d.params_added
            or d.params_removed
            or d.params
            or d.body
            or d.body_content
            or d.responses_added
            or d.responses_removed
            or d.responses
            or d.security
            or d.fields
        )
        return None if empty else d

    def _parameters(self, d: OperationDelta, base: Operation, rev: Operation, rename: dict[str, str]) -> None:
        b_params = {_param_key(p): p for p in base.parameters}
        r_params: dict[tuple[str, str], dict[str, Any]] = {}
        for p in rev.parameters:
            key = _param_key(p)
            if key[0] == "path" and p.get("name") in rename:
                key = ("path", rename[str(p.get("name"))])
            r_params[key] = p
        for key, bp in b_params.items():
            rp = r_params.get(key)
            if rp is None:
                d.params_removed.append(bp)
                continue
            pd = ParamDelta(bp, rp)
            for name in ("required", "style", "explode", "deprecated"):
                bv, rv = _param_field(bp, name), _param_field(rp, name)
                if bv != rv:
                    pd.fields[name] = (bv, rv)
            pd.schema = self.schema(_param_schema(bp), _param_schema(rp))
            if pd.fields or pd.schema is not None:
                d.params.append(pd)
        d.params_added = [p for key, p in r_params.items() if key not in b_params]

    def _body(self, d: OperationDelta, base: dict[str, Any], rev: dict[str, Any]) -> None:
        bb, rb = base.get("requestBody"), rev.get("requestBody")
        bb = bb if isinstance(bb, dict) else None
        rb = rb if isinstance(rb, dict) else None
        if bb is None and rb is None:
            return
        if (bb is None) != (rb is None) or bool(bb and bb.get("required")) != bool(rb and rb.get("required")):
            d.body = (bb, rb)
        if bb is not None and rb is not None:
            content = self.content(bb.get("content"), rb.get("content"))
            if content is not None:
                d.body_content = content

    def content(self, base: Any, rev: Any) -> ContentDelta | None:
        bc = base if isinstance(base, dict) else {}
        rc = rev if isinstance(rev, dict) else {}
        d = ContentDelta(bc, rc)
        r_by_norm = {_media_key(mt): mt for mt in rc}
        used: set[str] = set()
        for mt, media in bc.items():
            other = mt if mt in rc else r_by_norm.get(_media_key(mt))
            if other is None or other in used:
                d.removed.append(mt)
                continue
            used.add(other)
            bs = media.get("schema", _EMPTY) if isinstance(media, dict) else _EMPTY
            rs = rc[other].get("schema", _EMPTY) if isinstance(rc[other], dict) else _EMPTY
            child = self.schema(bs, rs)
            if child is not None:
                d.changed.append((mt, other, child))
        d.added = [mt for mt in rc if mt not in used]
        return None if d.empty() else d

    def _responses(self, d: OperationDelta, base: dict[str, Any], rev: dict[str, Any]) -> None:
        # YAML 1.2 reads an unquoted `200:` as an integer key: status codes are compared as text
        br = (
            {str(k): v for k, v in base["responses"].items()}
            if isinstance(base.get("responses"), dict)
            else {}
        )
        rr = (
            {str(k): v for k, v in rev["responses"].items()} if isinstance(rev.get("responses"), dict) else {}
        )
        used: set[str] = set()
        for code, resp in br.items():
            code = str(code)
            other = _response_counterpart(code, rr)
            if other is None or not isinstance(resp, dict) or not isinstance(rr.get(other), dict):
                d.responses_removed[code] = resp
                continue
            used.add(other)
            rd = ResponseDelta(code, other, resp, rr[other])
            rd.content = self.content(resp.get("content"), rr[other].get("content"))
            self._headers(rd, resp.get("headers"), rr[other].get("headers"))
            if not rd.empty():
                d.responses.append(rd)
        d.responses_added = {str(c): r for c, r in rr.items() if str(c) not in used and str(c) not in br}

    def _headers(self, rd: ResponseDelta, base: Any, rev: Any) -> None:
        bh = {k.lower(): (k, v) for k, v in base.items()} if isinstance(base, dict) else {}
        rh = {k.lower(): (k, v) for k, v in rev.items()} if isinstance(rev, dict) else {}
        bh.pop("content-type", None)  # OpenAPI 3.1 §4.8.17.1: a Content-Type header is ignored
        rh.pop("content-type", None)
        for low, (name, header) in bh.items():
            if low not in rh:
                rd.headers_removed[name] = header
                continue
            other = rh[low][1]
            if not isinstance(header, dict) or not isinstance(other, dict):
                continue
            hd = HeaderDelta(name, header, other)
            breq, rreq = bool(header.get("required")), bool(other.get("required"))
            if breq != rreq:
                hd.required = (breq, rreq)
            hd.schema = self.schema(_param_schema(header), _param_schema(other))
            if hd.required or hd.schema:
                rd.headers.append(hd)
        for low, (name, header) in rh.items():
            if low not in bh:
                rd.headers_added[name] = header

    # -- AsyncAPI --------------------------------------------------------------------------------
    def asyncapi(self) -> AsyncApiDelta:
        result = AsyncApiDelta(self.base_doc, self.rev_doc)
        b_channels = {c.id: c for c in iter_channels(self.base_doc)}
        r_channels = {c.id: c for c in iter_channels(self.rev_doc)}
        b_ops = list(iter_async_operations(self.base_doc))
        r_ops = list(iter_async_operations(self.rev_doc))
        channel_map = {cid: cid for cid in b_channels if cid in r_channels}
        # A channel whose key changed is recognised by an operation (same id) that moved with it.
        r_by_op = {op.id: op for op in r_ops}
        for op in b_ops:
            other = r_by_op.get(op.id)
            if op.channel is None or other is None or other.channel is None:
                continue
            bid, rid = op.channel.id, other.channel.id
            if bid not in channel_map and rid not in channel_map.values():
                channel_map[bid] = rid
        for bid, rid in channel_map.items():
            bc, rc = b_channels[bid], r_channels[rid]
            cd = ChannelDelta(bc, rc)
            if bc.address != rc.address:
                cd.address = (bc.address, rc.address)
            cd.bindings = _binding_changes(bc.node.get("bindings"), rc.node.get("bindings"))
            if cd.address or cd.bindings:
                result.channels.append(cd)
        mapped = set(channel_map.values())
        result.channels_removed = [c for cid, c in b_channels.items() if cid not in channel_map]
        result.channels_added = [c for cid, c in r_channels.items() if cid not in mapped]
        matched: set[int] = set()
        for op in b_ops:
            other = _find_async_operation(op, r_ops, channel_map, matched)
            if other is None:
                result.removed.append(op)
                continue
            matched.add(id(other))
            delta = self.async_operation(op, other)
            if delta is not None:
                result.operations.append(delta)
        result.added = [op for op in r_ops if id(op) not in matched]
        return result

    def async_operation(self, base: AsyncOperation, rev: AsyncOperation) -> AsyncOperationDelta | None:
        d = AsyncOperationDelta(base, rev)
        if base.action != rev.action:
            d.action = (base.action, rev.action)
        r_by_id = {m.id: m for m in rev.messages}
        used: set[int] = set()
        unmatched: list[Message] = []
        for msg in base.messages:
            other = r_by_id.get(msg.id)
            if other is None or id(other) in used:
                unmatched.append(msg)
                continue
            used.add(id(other))
            self._message(d, msg, other)
        rest = [m for m in rev.messages if id(m) not in used]
        if len(unmatched) == 1 and len(rest) == 1:
            self._message(d, unmatched[0], rest[0])  # a renamed message: compare what it carries
            unmatched, rest = [], []
        d.messages_removed = unmatched
        d.messages_added = rest
        if d.action or d.messages_added or d.messages_removed or d.messages:
            return d
        return None

    def _message(self, d: AsyncOperationDelta, base: Message, rev: Message) -> None:
        md = MessageDelta(base, rev)
        bct = _content_type(base, self.base_doc)
        rct = _content_type(rev, self.rev_doc)
        if bct != rct:
            md.content_type = (bct, rct)
        md.payload = self.schema(_or_empty(base.payload), _or_empty(rev.payload))
        md.headers = self.schema(_or_empty(base.node.get("headers")), _or_empty(rev.node.get("headers")))
        if md.content_type or md.payload or md.headers:
            d.messages.append(md)


# -- helpers ---------------------------------------------------------------------------------------


def _enum_keys(values: tuple[Any, ...] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(value_key(v) for v in values)


def _or_empty(value: Any) -> Any:
    return value if isinstance(value, (dict, bool)) else _EMPTY


def _index_operations(ops: list[Operation]) -> dict[tuple[str, str], list[Operation]]:
    index: dict[tuple[str, str], list[Operation]] = {}
    for op in ops:
        index.setdefault((op.method, path_template(op.path)), []).append(op)
    return index


def _find_operation(index: dict[tuple[str, str], list[Operation]], op: Operation) -> Operation | None:
    candidates = index.get((op.method, path_template(op.path)), [])
    if len(candidates) == 1:
        return candidates[0]
    for candidate in candidates:  # two paths that differ only by parameter names: exact match
        if candidate.path == op.path:
            return candidate
    return None


def _param_key(param: dict[str, Any]) -> tuple[str, str]:
    where = str(param.get("in"))
    name = str(param.get("name"))
    return where, name.lower() if where == "header" else name


def _param_field(param: dict[str, Any], name: str) -> Any:
    where = param.get("in")
    if name == "required":
        return True if where == "path" else bool(param.get("required"))
    if name == "deprecated":
        return bool(param.get("deprecated"))
    # OpenAPI 3.1 §4.8.12.4: style defaults to form (query, cookie) or simple (path, header);
    # explode defaults to true for form, false otherwise.
    style = param.get("style") or ("form" if where in ("query", "cookie") else "simple")
    if name == "style":
        return style
    explode = param.get("explode")
    return explode if isinstance(explode, bool) else style == "form"


def _param_schema(param: dict[str, Any]) -> Any:
    schema = param.get("schema")
    if isinstance(schema, (dict, bool)):
        return schema
    content = param.get("content")
    if isinstance(content, dict):
        for media in content.values():
            if isinstance(media, dict) and isinstance(media.get("schema"), (dict, bool)):
                return media["schema"]
    return _EMPTY


def _media_key(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def _response_counterpart(code: str, rev: dict[str, Any]) -> str | None:
    """The revision response that answers for base status ``code`` (exact, then its range ``2XX``)."""
    if code in rev:
        return code
    if len(code) == 3 and code[0].isdigit():
        for key in (f"{code[0]}XX", f"{code[0]}xx"):
            if key in rev:
                return key
    return None


def _security_key(value: list[Any] | None) -> frozenset[frozenset[tuple[str, frozenset[str]]]] | None:
    if value is None:
        return None
    alternatives = set()
    for requirement in value:
        if isinstance(requirement, dict):
            alternatives.add(
                frozenset(
                    (
                        str(name),
                        frozenset(str(s) for s in scopes) if isinstance(scopes, list) else frozenset(),
                    )
                    for name, scopes in requirement.items()
                )
            )
    return frozenset(alternatives)


def _field(op: Operation, key: str) -> Any:
    if key == "deprecated":
        return bool(op.node.get("deprecated"))
    if key == "x-sunset":
        value = op.node.get("x-sunset", op.path_item.get("x-sunset"))
        return str(value) if value is not None else None
    return op.node.get(key)


def _servers_removed(base: Any, rev: Any) -> list[tuple[int, dict[str, Any]]]:
    bs = base.get("servers") if isinstance(base, dict) else None
    rs = rev.get("servers") if isinstance(rev, dict) else None
    if not isinstance(bs, list) or not isinstance(rs, list):
        return []
    urls = {s.get("url") for s in rs if isinstance(s, dict)}
    return [(i, s) for i, s in enumerate(bs) if isinstance(s, dict) and s.get("url") not in urls]


_SCHEME_FIELDS = ("type", "in", "name", "scheme", "openIdConnectUrl")
_FLOW_FIELDS = ("tokenUrl", "authorizationUrl")


def _schemes(base: Any, rev: Any) -> list[SchemeDelta]:
    def schemes_of(data: Any) -> dict[str, Any]:
        comps = data.get("components") if isinstance(data, dict) else None
        found = comps.get("securitySchemes") if isinstance(comps, dict) else None
        return found if isinstance(found, dict) else {}

    bs, rs = schemes_of(base), schemes_of(rev)
    found: list[SchemeDelta] = []
    for name, scheme in bs.items():
        other = rs.get(name)
        if not isinstance(scheme, dict) or not isinstance(other, dict):
            continue
        fields: dict[str, tuple[Any, Any]] = {}
        for key in _SCHEME_FIELDS:
            bv, rv = scheme.get(key), other.get(key)
            if key == "scheme" and isinstance(bv, str) and isinstance(rv, str):
                bv, rv = bv.lower(), rv.lower()  # RFC 7235: auth schemes are case-insensitive
            if bv != rv:
                fields[key] = (bv, rv)
        bflows = scheme.get("flows") if isinstance(scheme.get("flows"), dict) else {}
        rflows = other.get("flows") if isinstance(other.get("flows"), dict) else {}
        assert isinstance(bflows, dict) and isinstance(rflows, dict)
        for flow, spec in bflows.items():
            rspec = rflows.get(flow)
            if not isinstance(rspec, dict):
                fields[f"flows.{flow}"] = (flow, None)
                continue
            for key in _FLOW_FIELDS:
                if isinstance(spec, dict) and spec.get(key) != rspec.get(key):
                    fields[f"flows.{flow}.{key}"] = (spec.get(key), rspec.get(key))
        if fields:
            found.append(SchemeDelta(name, scheme, other, fields))
    return found


def _binding_changes(base: Any, rev: Any) -> list[str]:
    if not isinstance(base, dict) or not isinstance(rev, dict):
        return []
    changed = []
    for protocol, binding in base.items():
        other = rev.get(protocol)
        if other is None:
            continue
        if _strip_version(binding) != _strip_version(other):
            changed.append(str(protocol))
    return changed


def _strip_version(binding: Any) -> Any:
    if isinstance(binding, dict):
        return {k: v for k, v in binding.items() if k != "bindingVersion"}
    return binding


def _content_type(message: Message, doc: Document) -> str | None:
    value = message.node.get("contentType")
    if value is None and isinstance(doc.data, dict):
        value = doc.data.get("defaultContentType")
    return str(value) if value is not None else None


def _find_async_operation(
    op: AsyncOperation, candidates: list[AsyncOperation], channel_map: dict[str, str], taken: set[int]
) -> AsyncOperation | None:
    free = [c for c in candidates if id(c) not in taken]
    for other in free:
        if other.id == op.id:
            return other
    if op.channel is not None:
        target = channel_map.get(op.channel.id)
        for other in free:
            if other.channel is not None and other.channel.id == target and other.action == op.action:
                return other
    return None
