"""OpenAPI document -> :class:`~accord.codegen.ir.ServiceDef` (operations grouped by tag)."""

from __future__ import annotations

from typing import Any

from accord.codegen._names import param_name, pascal, snake
from accord.codegen._schemas import SchemaRegistry
from accord.codegen.ir import Body, Header, OperationDef, Param, Reply, ServiceDef, TagDef, TypeRef
from accord.errors import InputError
from accord.loader import Document
from accord.loader._pointer import child
from accord.spec import iter_operations
from accord.spec.openapi import request_body, responses

DEFAULT_TAG = "default"


def register_component_schemas(doc: Document, registry: SchemaRegistry) -> None:
    """Register every ``components.schemas`` entry written in the document's own file."""
    components = doc.source.data.get("components") if isinstance(doc.source.data, dict) else None
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if isinstance(schemas, dict):
        for name in schemas:
            registry.ref_for(doc.source, child("/components/schemas", name), name)


def json_media(content: Any) -> tuple[str, dict[str, Any]] | None:
    """The JSON media type of a ``content`` map (``application/json`` first, then any ``+json``)."""
    if not isinstance(content, dict) or not content:
        return None
    ranked = sorted(
        (media_type for media_type in content if isinstance(content[media_type], dict)),
        key=lambda m: (m != "application/json", not _is_json(m)),
    )
    if not ranked:
        return None
    return ranked[0], content[ranked[0]]


def _is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def model_of(doc: Document, registry: SchemaRegistry, schema: Any, hint: str) -> TypeRef | None:
    """The model of a resolved schema node of ``doc`` (found where the node is written)."""
    if not isinstance(schema, dict):
        return None
    written = doc.written_at(schema)
    if written is None:
        raise InputError(f"cannot locate the schema for {hint}", doc.where(schema))
    file, pointer = written
    own = file.path.resolve() == doc.path.resolve()
    return registry.ref_for(file, pointer, hint if own else _pointer_hint(pointer, hint))


def _pointer_hint(pointer: str, fallback: str) -> str:
    parts = [p for p in pointer.split("/") if p and p not in {"content", "schema", "responses"}]
    return " ".join(parts[-2:]) if parts else fallback


def build_service(doc: Document, registry: SchemaRegistry) -> ServiceDef:
    """The service of one OpenAPI document: one :class:`TagDef` per tag, operations in document order."""
    data = doc.data if isinstance(doc.data, dict) else {}
    info: dict[str, Any] = data["info"] if isinstance(data.get("info"), dict) else {}
    described = {
        str(t.get("name")): t.get("description") for t in data.get("tags") or [] if isinstance(t, dict)
    }
    tags: dict[str, TagDef] = {}
    used_names: set[str] = set()
    for op in iter_operations(doc):
        operation = _operation(doc, registry, op.node, op.path, op.method, op.parameters, op.pointer)
        if operation.python_name in used_names:
            operation.python_name = f"{operation.python_name}_{op.method}"
        used_names.add(operation.python_name)
        tag = tags.get(operation.tag)
        if tag is None:
            description = described.get(operation.tag)
            tag = TagDef(
                name=operation.tag,
                description=description if isinstance(description, str) else None,
                class_name=f"{pascal(operation.tag)}Api",
                function_name=f"{snake(operation.tag).rstrip('_')}_router",
                argument=snake(operation.tag),
            )
            tags[operation.tag] = tag
        tag.operations.append(operation)
    return ServiceDef(
        title=str(info.get("title") or doc.display),
        version=str(info.get("version") or "0"),
        description=info.get("description") if isinstance(info.get("description"), str) else None,
        tags=list(tags.values()),
    )


def _operation(
    doc: Document,
    registry: SchemaRegistry,
    node: dict[str, Any],
    path: str,
    method: str,
    parameters: list[dict[str, Any]],
    pointer: str,
) -> OperationDef:
    operation_id = node.get("operationId")
    if not isinstance(operation_id, str) or not operation_id:
        operation_id = f"{method}{pascal(path)}"
    tags = node.get("tags")
    tag = str(tags[0]) if isinstance(tags, list) and tags else DEFAULT_TAG
    taken: set[str] = set()
    params: list[Param] = []
    for param in parameters:
        name, where = str(param.get("name")), str(param.get("in"))
        schema: dict[str, Any] = param["schema"] if isinstance(param.get("schema"), dict) else {}
        description = param.get("description")
        params.append(
            Param(
                name=name,
                python_name="",  # assigned below: path parameters first keep their natural names
                location=where,
                required=bool(param.get("required")) or where == "path",
                schema=schema,
                description=description if isinstance(description, str) else None,
                deprecated=bool(param.get("deprecated")),
            )
        )
    ordered = sorted(
        params,
        key=lambda p: (
            ("path", "query", "header", "cookie").index(p.location)
            if p.location in ("path", "query", "header", "cookie")
            else 4
        ),
    )
    named = [
        Param(p.name, _unique(p.name, taken), p.location, p.required, p.schema, p.description, p.deprecated)
        for p in ordered
    ]
    return OperationDef(
        operation_id=operation_id,
        python_name=snake(operation_id),
        method=method,
        path=path,
        tag=tag,
        summary=node.get("summary") if isinstance(node.get("summary"), str) else None,
        description=node.get("description") if isinstance(node.get("description"), str) else None,
        deprecated=bool(node.get("deprecated")),
        params=named,
        body=_body(doc, registry, node, operation_id),
        replies=_replies(doc, registry, node, operation_id),
        location=doc.origin(pointer),
    )


def _unique(name: str, taken: set[str]) -> str:
    reserved = {"body"}
    candidate = param_name(name, taken)
    if candidate in reserved:
        taken.discard(candidate)
        candidate = param_name(f"{name} param", taken)
    return candidate


def _body(doc: Document, registry: SchemaRegistry, node: dict[str, Any], operation_id: str) -> Body | None:
    body = request_body(node)
    if body is None:
        return None
    media = json_media(body.get("content"))
    description = body.get("description") if isinstance(body.get("description"), str) else None
    if media is None:
        content = body.get("content")
        media_type = (
            next(iter(content)) if isinstance(content, dict) and content else "application/octet-stream"
        )
        return Body(str(media_type), None, bool(body.get("required")), description)
    media_type, media_node = media
    model = model_of(doc, registry, media_node.get("schema"), f"{operation_id} request")
    return Body(media_type, model, bool(body.get("required")), description)


def _replies(doc: Document, registry: SchemaRegistry, node: dict[str, Any], operation_id: str) -> list[Reply]:
    found = responses(node)
    several = sum(1 for status in found if status.startswith("2")) > 1
    replies: list[Reply] = []
    for status, response in found.items():
        media = json_media(response.get("content"))
        model: TypeRef | None = None
        media_type: str | None = None
        if media is not None:
            media_type, media_node = media
            hint = (
                f"{operation_id} response {status}"
                if several or not status.startswith("2")
                else (f"{operation_id} response")
            )
            model = model_of(doc, registry, media_node.get("schema"), hint)
        headers: list[Header] = []
        raw_headers = response.get("headers")
        if isinstance(raw_headers, dict):
            for name, header in raw_headers.items():
                if isinstance(header, dict):
                    schema: dict[str, Any] = (
                        header["schema"] if isinstance(header.get("schema"), dict) else {}
                    )
                    description = header.get("description")
                    headers.append(
                        Header(
                            str(name),
                            bool(header.get("required")),
                            schema,
                            description if isinstance(description, str) else None,
                        )
                    )
        description = response.get("description")
        replies.append(
            Reply(
                status=status,
                description=description if isinstance(description, str) else status,
                media_type=media_type,
                model=model,
                headers=tuple(headers),
            )
        )
    return replies
