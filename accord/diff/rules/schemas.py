"""Judge a schema delta on one side: what a client *writes* (requests, received messages) is judged
opposite to what it *reads* (responses, sent messages). Widening what the service accepts is safe,
narrowing it breaks; narrowing what the service returns is safe, widening it breaks.
"""

from __future__ import annotations

from typing import Any

from accord.diff._regex import relation
from accord.diff._schema import BOUNDS, MISSING, Bound, Norm, value_key
from accord.diff.delta import SchemaDelta, ValueChange
from accord.diff.registry import Scope, scoped_id
from accord.diff.rules._emit import Emitter
from accord.model import Location

#: format pairs where the second admits every value of the first.
_WIDER_FORMATS = {("int32", "int64"), ("float", "double"), ("date", "date-time")}


def judge_schema(em: Emitter, delta: SchemaDelta | None, scope: Scope, root_label: str) -> None:
    """Emit the changes of ``delta`` (and its children) for one use of the schema."""
    if delta is not None:
        _Walker(em, scope, root_label).walk(delta, "")


class _Walker:
    def __init__(self, em: Emitter, scope: Scope, root_label: str) -> None:
        self.em = em
        self.scope = scope
        self.root_label = root_label
        self.visited: set[int] = set()

    # -- helpers -------------------------------------------------------------------------------
    def what(self, label: str) -> str:
        return f"{self.scope.subject} `{label}`" if label else self.root_label

    def emit(
        self, key: str, label: str, message: str, base: Location, rev: Location, **details: object
    ) -> None:
        change_id = scoped_id(self.scope, key, root=not label)
        info: dict[str, object] = {"property": label} if label else {}
        info.update(details)
        self.em.emit(change_id, f"{self.what(label)}: {message}", base=base, revision=rev, details=info)

    def loc_b(self, norm: Norm, keyword: str | None = None) -> Location:
        if keyword and keyword in norm.at:
            node, key = norm.at[keyword]
            return self.em.at_base(node, key)
        return self.em.at_base(norm.node)

    def loc_r(self, norm: Norm, keyword: str | None = None) -> Location:
        if keyword and keyword in norm.at:
            node, key = norm.at[keyword]
            return self.em.at_rev(node, key)
        return self.em.at_rev(norm.node)

    def visible(self, norm: Norm) -> bool:
        """readOnly properties are not part of requests, writeOnly ones not of responses."""
        return not norm.read_only if self.scope.side == "write" else not norm.write_only

    # -- walk ----------------------------------------------------------------------------------
    def walk(self, delta: SchemaDelta, label: str) -> None:
        if id(delta) in self.visited:
            return
        self.visited.add(id(delta))
        if self.values(delta, label):
            return  # the type changed: what is inside is a different thing, not a list of edits
        self.properties(delta, label)
        if delta.items is not None:
            self.walk(delta.items, f"{label}[]" if label else "[]")
        if delta.additional is not None:
            self.walk(delta.additional, f"{label}.*" if label else "*")
        self.alternatives(delta, label)

    def values(self, delta: SchemaDelta, label: str) -> bool:
        b, r = delta.base, delta.rev
        type_broken = False
        by_keyword = {v.keyword: v for v in delta.values}
        if "type" in by_keyword:
            type_broken = self.type(by_keyword["type"], b, r, label)
        for change in delta.values:
            kw = change.keyword
            if kw == "nullable":
                key = "became-nullable" if change.after else "became-not-nullable"
                self.emit(
                    key,
                    label,
                    "became nullable" if change.after else "is no longer nullable",
                    self.loc_b(b, "nullable"),
                    self.loc_r(r, "nullable"),
                )
            elif type_broken or kw in ("type", "never", "readOnly", "writeOnly", "deprecated"):
                continue
            elif kw == "format":
                self.format(change, b, r, label)
            elif kw == "enum":
                self.enum(change, b, r, label)
            elif kw in BOUNDS:
                self.bound(change, b, r, label)
            elif kw == "multipleOf":
                self.multiple_of(change, b, r, label)
            elif kw == "pattern":
                self.pattern(change, b, r, label)
            elif kw == "default":
                before = "none" if change.before is MISSING else repr(change.before)
                after = "none" if change.after is MISSING else repr(change.after)
                self.emit(
                    "default-changed",
                    label,
                    f"default changed from {before} to {after}",
                    self.loc_b(b, "default"),
                    self.loc_r(r, "default"),
                )
            elif kw == "uniqueItems":
                key = "unique-items-added" if change.after else "unique-items-removed"
                self.emit(
                    key,
                    label,
                    "uniqueItems " + ("set" if change.after else "removed"),
                    self.loc_b(b, "uniqueItems"),
                    self.loc_r(r, "uniqueItems"),
                )
            elif kw == "additionalProperties":
                narrowed = (change.before is True and change.after in (False, "schema")) or (
                    change.before == "schema" and change.after is False
                )
                key = "additional-properties-narrowed" if narrowed else "additional-properties-widened"
                self.emit(
                    key,
                    label,
                    f"additionalProperties changed from {_show(change.before)} to {_show(change.after)}",
                    self.loc_b(b, "additionalProperties"),
                    self.loc_r(r, "additionalProperties"),
                )
        return type_broken

    def type(self, change: ValueChange, b: Norm, r: Norm, label: str) -> bool:
        before, after = change.before, change.after
        text = f"type changed from {_types(before)} to {_types(after)}"
        if self.scope.side == "write" and _covers(after, before):
            self.emit("type-generalized", label, text, self.loc_b(b, "type"), self.loc_r(r, "type"))
            return False
        if self.scope.side == "read" and _covers(before, after):
            self.emit("type-specialized", label, text, self.loc_b(b, "type"), self.loc_r(r, "type"))
            return False
        self.emit(
            "type-changed",
            label,
            text,
            self.loc_b(b, "type"),
            self.loc_r(r, "type"),
            before=_types(before),
            after=_types(after),
        )
        return True

    def format(self, change: ValueChange, b: Norm, r: Norm, label: str) -> None:
        before, after = change.before, change.after
        wider = after is None or (before, after) in _WIDER_FORMATS
        narrower = before is None or (after, before) in _WIDER_FORMATS
        text = f"format changed from {before or 'none'} to {after or 'none'}"
        if self.scope.side == "write" and wider:
            key = "format-generalized"
        elif self.scope.side == "read" and narrower:
            key = "format-specialized"
        else:
            key = "format-changed"
        self.emit(key, label, text, self.loc_b(b, "format"), self.loc_r(r, "format"))

    def enum(self, change: ValueChange, b: Norm, r: Norm, label: str) -> None:
        before, after = change.before, change.after
        lb, lr = self.loc_b(b, "enum"), self.loc_r(r, "enum")
        if before is None:
            self.emit("became-enum", label, f"restricted to {_values(after)}", lb, lr)
            return
        if after is None:
            self.emit("became-non-enum", label, "enum restriction removed", lb, lr)
            return
        after_keys = {value_key(v) for v in after}
        before_keys = {value_key(v) for v in before}
        for value in before:
            if value_key(value) not in after_keys:
                self.emit(
                    "enum-value-removed", label, f"enum value {_value(value)} removed", lb, lr, value=value
                )
        for value in after:
            if value_key(value) not in before_keys:
                self.emit("enum-value-added", label, f"enum value {_value(value)} added", lb, lr, value=value)

    def bound(self, change: ValueChange, b: Norm, r: Norm, label: str) -> None:
        name = change.keyword
        upper = BOUNDS[name][2]
        before: Bound | None = change.before
        after: Bound | None = change.after
        tighter = after is not None and (before is None or after.tighter_than(before, upper))
        if before is not None and after is not None and not tighter and not before.tighter_than(after, upper):
            return
        direction = (
            ("decreased" if tighter else "increased") if upper else ("increased" if tighter else "decreased")
        )
        keyword = BOUNDS[name][0]
        self.emit(
            f"{name}-{direction}",
            label,
            f"{keyword} changed from {_bound(before)} to {_bound(after)}",
            self.loc_b(b, name),
            self.loc_r(r, name),
            before=before.value if before else None,
            after=after.value if after else None,
        )

    def multiple_of(self, change: ValueChange, b: Norm, r: Norm, label: str) -> None:
        before, after = change.before, change.after
        if self.scope.side == "write":
            safe = after is None or (before is not None and _divides(after, before))
        else:
            safe = before is None or (after is not None and _divides(before, after))
        if not safe:
            self.emit(
                "multiple-of-changed",
                label,
                f"multipleOf changed from {before} to {after}",
                self.loc_b(b, "multipleOf"),
                self.loc_r(r, "multipleOf"),
            )

    def pattern(self, change: ValueChange, b: Norm, r: Norm, label: str) -> None:
        before, after = change.before, change.after
        lb, lr = self.loc_b(b, "pattern"), self.loc_r(r, "pattern")
        if before is None:
            self.emit("pattern-added", label, f"pattern {after!r} added", lb, lr)
            return
        if after is None:
            self.emit("pattern-removed", label, f"pattern {before!r} removed", lb, lr)
            return
        rel = relation(before, after)
        text = f"pattern changed from {before!r} to {after!r}"
        if self.scope.side == "write" and rel in ("looser", "equal"):
            key = "pattern-generalized"
        elif self.scope.side == "read" and rel in ("stricter", "equal"):
            key = "pattern-specialized"
        else:
            key = "pattern-changed"
        self.emit(key, label, text, lb, lr, relation=rel)

    # -- objects ---------------------------------------------------------------------------------
    def properties(self, delta: SchemaDelta, parent: str) -> None:
        b, r = delta.base, delta.rev
        norm = self.em.norms.norm
        for name, schema in delta.removed.items():
            if not self.visible(norm(schema)):
                continue
            label = _join(parent, name)
            required = name in b.required
            key = (
                "required-property-removed" if required and self.scope.side == "read" else "property-removed"
            )
            self.emit(
                key,
                label,
                "removed" + (" (it was required)" if required else ""),
                self.prop_b(b, name),
                self.props_r(r),
            )
        for name, schema in delta.added.items():
            if not self.visible(norm(schema)):
                continue
            self.added(b, r, name, parent)
        names = set(delta.props) | ((delta.required_added | delta.required_removed) & b.properties.keys())
        for name in sorted(names):
            if name not in r.properties or name not in b.properties:
                continue
            label = _join(parent, name)
            bvis, rvis = self.visible(norm(b.properties[name])), self.visible(norm(r.properties[name]))
            if bvis and not rvis:
                key = (
                    "property-became-read-only"
                    if self.scope.side == "write"
                    else "property-became-write-only"
                )
                self.emit(
                    key,
                    label,
                    key.split("-", 2)[2].replace("-", " "),
                    self.prop_b(b, name),
                    self.prop_r(r, name),
                )
                continue
            if not bvis:
                if rvis:
                    self.added(b, r, name, parent)
                continue
            breq, rreq = name in b.required, name in r.required
            if breq != rreq:
                key = "property-became-required" if rreq else "property-became-optional"
                self.emit(
                    key,
                    label,
                    "became required" if rreq else "became optional",
                    self.prop_b(b, name),
                    self.prop_r(r, name),
                )
            child = delta.props.get(name)
            if child is not None:
                self.walk(child, label)

    def added(self, b: Norm, r: Norm, name: str, parent: str) -> None:
        required = name in r.required
        key = "new-required-property" if required else "new-optional-property"
        self.emit(
            key,
            _join(parent, name),
            "added" + (" as required" if required else ""),
            self.props_b(b),
            self.prop_r(r, name),
        )

    def prop_b(self, norm: Norm, name: str) -> Location:
        owner = norm.prop_owner.get(name)
        return self.em.at_base(owner, "properties", name) if owner is not None else self.loc_b(norm)

    def prop_r(self, norm: Norm, name: str) -> Location:
        owner = norm.prop_owner.get(name)
        return self.em.at_rev(owner, "properties", name) if owner is not None else self.loc_r(norm)

    def props_b(self, norm: Norm) -> Location:
        return self.loc_b(norm, "properties")

    def props_r(self, norm: Norm) -> Location:
        return self.loc_r(norm, "properties")

    def alternatives(self, delta: SchemaDelta, label: str) -> None:
        kind = "one-of" if delta.alt_kind == "oneOf" else "any-of"
        keyword = delta.alt_kind or "oneOf"
        for alt in delta.alts_removed:
            self.emit(
                f"{kind}-removed",
                label,
                f"{keyword} alternative {_name(self.em.base, alt)} removed",
                self.em.at_base(alt),
                self.loc_r(delta.rev, keyword),
            )
        for alt in delta.alts_added:
            self.emit(
                f"{kind}-added",
                label,
                f"{keyword} alternative {_name(self.em.rev, alt)} added",
                self.loc_b(delta.base, keyword),
                self.em.at_rev(alt),
            )
        for child in delta.alts:
            self.walk(child, label)


# -- formatting and small predicates -----------------------------------------------------------------


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _covers(wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
    """Does type set ``wide`` admit every value of ``narrow``? (None: any type; number covers integer)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _divides(small: float, big: float) -> bool:
    if small == 0:
        return False
    quotient = big / small
    return abs(quotient - round(quotient)) < 1e-9


def _types(value: frozenset[str] | None) -> str:
    return "any" if value is None else "/".join(sorted(value))


def _bound(bound: Bound | None) -> str:
    if bound is None:
        return "none"
    number = int(bound.value) if bound.value.is_integer() else bound.value
    return f"{number} (exclusive)" if bound.exclusive else str(number)


def _value(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f"'{value}'"


def _values(values: Any) -> str:
    return "[" + ", ".join(_value(v) for v in values or ()) + "]"


def _show(value: Any) -> str:
    return {True: "allowed", False: "forbidden", "schema": "a schema"}.get(value, str(value))


def _name(doc: Any, node: Any) -> str:
    written = doc.written_at(node)
    if written is not None:
        tail = written[1].rsplit("/", 1)[-1]
        if tail and not tail.isdigit():
            return f"`{tail}`"
    if isinstance(node, dict) and isinstance(node.get("title"), str):
        return f"`{node['title']}`"
    return "(inline)"
