"""The whole corpus generated once per session into a temporary, importable package."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from accord_cli.commands.generate import format_sources

from accord.codegen import build_project, generate_sources
from accord.codegen.ir import Project, TypeRef
from accord.contracts import ContractSet, load_contract_set

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "accord_generated_under_test"


@pytest.fixture(scope="session")
def corpus() -> ContractSet:
    return load_contract_set([ROOT / "contracts"])


@pytest.fixture(scope="session")
def project(corpus: ContractSet) -> Project:
    return build_project(corpus)


@pytest.fixture(scope="session")
def corpus_files(corpus: ContractSet) -> dict[str, str]:
    return generate_sources(corpus, formatter=format_sources)


@pytest.fixture(scope="session")
def generated_package(
    corpus_files: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The generated files written as package ``accord_generated_under_test`` (relative imports inside)."""
    base = tmp_path_factory.mktemp("generated")
    for rel, text in corpus_files.items():
        target = base / PACKAGE / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(base))
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(base))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def load(package: str, module: str) -> ModuleType:
    return importlib.import_module(f"{package}.{module}")


def model_class(package: str, ref: TypeRef) -> Any:
    return getattr(load(package, f"{ref.module}.models"), ref.name)
