"""The loader: the only engine code that reads files. YAML/JSON with line marks, ``$ref`` resolution."""

from __future__ import annotations

from accord.loader.document import (
    ASYNCAPI,
    FRAGMENT,
    OPENAPI,
    Document,
    detect_kind,
    document_from_source,
    find_root,
    load_document,
)
from accord.loader.resolve import RefProblem, RefSite
from accord.loader.source import SourceFile, parse_source, read_source

__all__ = [
    "ASYNCAPI",
    "FRAGMENT",
    "OPENAPI",
    "Document",
    "RefProblem",
    "RefSite",
    "SourceFile",
    "detect_kind",
    "document_from_source",
    "find_root",
    "load_document",
    "parse_source",
    "read_source",
]
