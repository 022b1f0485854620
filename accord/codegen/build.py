"""Loaded contract set -> :class:`~accord.codegen.ir.Project`.

The project always covers every domain of the catalogue whose documents exist, whatever subset
the caller writes: a domain's files then never depend on which other domains were asked for.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from accord.codegen._names import module_name
from accord.codegen._schemas import SchemaRegistry
from accord.codegen.from_asyncapi import EventsBuilder
from accord.codegen.from_openapi import build_service, register_component_schemas
from accord.codegen.ir import COMMON, DomainDef, ModelDef, Project, SourceRef
from accord.contracts import ContractSet
from accord.errors import AccordError, InputError, RefError, UsageError
from accord.loader import Document, SourceFile
from accord.loader._pointer import child
from accord.model import Location


def build_project(contract_set: ContractSet, domains: Sequence[str] = ()) -> Project:
    """The generation model of ``contract_set``. ``domains`` are only checked to exist here."""
    config = contract_set.config
    if not config.domains:
        raise UsageError(
            "no domains to generate: `accord generate` needs an accord.yaml catalogue listing domains",
            Location(config.file or str(config.root)),
        )
    unknown = [name for name in domains if name not in config.domains]
    if unknown:
        known = ", ".join(config.domains)
        raise UsageError(
            f"unknown domain {unknown[0]!r} (known: {known})", Location(config.file or "accord.yaml")
        )
    _raise_load_errors(contract_set)
    by_domain: dict[str, list[Document]] = {}
    for doc in contract_set.documents:
        domain = contract_set.domain_of(doc)
        if domain is not None:
            by_domain.setdefault(domain, []).append(doc)
    for loaded in by_domain.values():
        for doc in loaded:
            if doc.ref_problems:
                problem = doc.ref_problems[0]
                raise RefError(problem.message, problem.file.location(problem.pointer))
    root = config.root.resolve()
    folders: dict[Path, str] = {}
    for name, domain_config in config.domains.items():
        for rel in (domain_config.openapi, domain_config.asyncapi):
            if rel:
                folders.setdefault((root / rel).resolve().parent, module_name(name))
    common_folder = root / COMMON

    def package_of(path: Path) -> str:
        folder = path.resolve().parent
        if folder in folders:
            return folders[folder]
        if folder == common_folder:
            return COMMON
        raise UsageError(
            "schemas written here belong to no domain folder and not to common/", Location(_shown(path, root))
        )

    files: dict[Path, SourceFile] = {}
    for doc in contract_set.documents:
        files.update(doc.files)
    registry = SchemaRegistry(files, package_of)
    events = EventsBuilder(registry)
    result: list[DomainDef] = []
    for name in config.domains:
        docs = by_domain.get(name, [])
        if not docs:
            continue
        definition = DomainDef(name, module_name(name), [_source(doc.source, root) for doc in docs])
        for doc in docs:
            if doc.kind == "openapi":
                register_component_schemas(doc, registry)
                definition.service = build_service(doc, registry)
            else:
                definition.events = events.build(doc, definition.package)
        result.append(definition)
    models = _with_whole_common_files(registry)
    common_sources = sorted(
        {_source(f, root) for f in _model_files(registry, models) if package_of(f.path) == COMMON},
        key=lambda s: s.path,
    )
    return Project(result, models, common_sources)


def _with_whole_common_files(registry: SchemaRegistry) -> dict[str, list[ModelDef]]:
    """Every schema of a common fragment that contributes any: common types are generated whole."""
    done: set[Path] = set()
    while True:
        models = registry.models()
        pending: dict[Path, SourceFile] = {}
        for model in models.get(COMMON, []):
            file, pointer = registry.written(model.ref)
            if pointer.count("/") == 1 and file.path.resolve() not in done:
                pending[file.path.resolve()] = file
        if not pending:
            return models
        for path in sorted(pending):
            done.add(path)
            source = pending[path]
            if isinstance(source.data, dict):
                for key in source.data:
                    registry.ref_for(source, child("", key), key)


def _model_files(registry: SchemaRegistry, models: dict[str, list[ModelDef]]) -> list[SourceFile]:
    """The files the models are written in."""
    seen: dict[Path, SourceFile] = {}
    for package_models in models.values():
        for model in package_models:
            file, _ = registry.written(model.ref)
            seen[file.path.resolve()] = file
    return list(seen.values())


def _source(source: SourceFile, root: Path) -> SourceRef:
    return SourceRef(_shown(source.path, root), hashlib.sha256(source.raw).hexdigest())


def _shown(path: Path, root: Path) -> str:
    """``contracts/orders/openapi.yaml``: relative to the folder above the contract root, ``/`` separated."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.parent).as_posix()
    except ValueError:
        return os.path.basename(resolved)


def _raise_load_errors(contract_set: ContractSet) -> None:
    """A document that exists but cannot be loaded stops generation; a missing one only skips its domain."""
    for error in contract_set.errors:
        if isinstance(error, InputError) and error.message in ("no such file", "no such file or directory"):
            continue
        if isinstance(error, AccordError):
            raise error
