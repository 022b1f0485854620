"""A set of contracts: every document named in a catalogue, or found under a folder."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from accord.config import Config, default_config, find_config, load_config
from accord.errors import AccordError, InputError
from accord.loader import FRAGMENT, Document, SourceFile, detect_kind, document_from_source, read_source
from accord.model import Location

_SUFFIXES = (".yaml", ".yml", ".json")
_SKIP_DIRS = {".git", "node_modules", ".venv", "__pycache__", ".cache"}


@dataclass
class Contract:
    """One domain: its OpenAPI and AsyncAPI documents."""

    domain: str
    openapi: Document | None = None
    asyncapi: Document | None = None

    def documents(self) -> list[Document]:
        return [d for d in (self.openapi, self.asyncapi) if d is not None]


@dataclass
class ContractSet:
    """Loaded documents with their catalogue. Unloadable documents are kept as errors, not dropped."""

    config: Config
    documents: list[Document] = field(default_factory=list)
    errors: list[AccordError] = field(default_factory=list)
    domains: dict[str, str] = field(default_factory=dict)  # document path -> domain

    def domain_of(self, doc: Document) -> str | None:
        return self.domains.get(str(doc.path.resolve()))

    def contracts(self) -> Iterator[Contract]:
        by_domain: dict[str, Contract] = {}
        for doc in self.documents:
            name = self.domain_of(doc) or doc.display
            contract = by_domain.setdefault(name, Contract(name))
            if doc.kind == "openapi":
                contract.openapi = doc
            else:
                contract.asyncapi = doc
        yield from by_domain.values()


def _discover(folder: Path) -> list[Path]:
    found: list[Path] = []
    for path in sorted(folder.rglob("*")):
        skipped = any(part in _SKIP_DIRS for part in path.relative_to(folder).parts)
        if path.suffix.lower() in _SUFFIXES and path.is_file() and not skipped:
            found.append(path)
    return found


def load_contract_set(
    paths: Iterable[str | Path], *, allow_remote: bool = False, root: Path | None = None
) -> ContractSet:
    """Load every contract document named by ``paths`` (files or folders).

    A folder with an ``accord.yaml`` catalogue contributes the documents it lists; any other
    folder contributes every OpenAPI/AsyncAPI file below it (fragments are skipped). Files are
    parsed once and shared between documents (``contracts/common`` is read once for the corpus).
    """
    given = [Path(p) for p in paths] or [Path(".")]
    config_path = find_config(given[0])
    config = load_config(config_path) if config_path else default_config(given[0].resolve())
    cache: dict[Path, SourceFile] = {}
    result = ContractSet(config)
    seen: set[Path] = set()
    targets: list[tuple[Path, str | None, bool]] = []  # path, domain, explicit
    for path in given:
        if not path.exists():
            result.errors.append(InputError("no such file or directory", Location(str(path))))
            continue
        if path.is_dir():
            catalogue = path / "accord.yaml"
            if catalogue.is_file():
                local = load_config(catalogue) if catalogue.resolve() != config_path else config
                targets.extend((file, domain, True) for domain, file in local.domain_files())
            else:
                targets.extend((file, config.domain_of(file), False) for file in _discover(path))
        else:
            targets.append((path, config.domain_of(path), True))
    for path, domain, explicit in targets:
        resolved = path.resolve()
        if resolved in seen or resolved.name == "accord.yaml":
            continue
        seen.add(resolved)
        try:
            source = cache.get(resolved) or read_source(path)
            cache[resolved] = source
            kind, _ = detect_kind(source.data, source.display)
            if kind == FRAGMENT:
                if explicit:
                    result.errors.append(
                        InputError("not an OpenAPI or AsyncAPI document", Location(source.display))
                    )
                continue
            doc = document_from_source(
                source, root=root or _root_for(config, path), allow_remote=allow_remote, cache=cache
            )
        except AccordError as exc:
            result.errors.append(exc)
            continue
        result.documents.append(doc)
        if domain:
            result.domains[str(resolved)] = domain
    return result


def _root_for(config: Config, path: Path) -> Path:
    root = config.root.resolve()
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return path.resolve().parent
    return root


def load_one(path: str | Path) -> Document:
    """Convenience: load a single document with the catalogue root that applies to it."""
    config_path = find_config(Path(path))
    config = load_config(config_path) if config_path else default_config(Path(path).resolve().parent)
    source = read_source(Path(path))
    return document_from_source(source, root=_root_for(config, Path(path)))
