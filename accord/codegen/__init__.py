"""``accord generate``: contracts -> intermediate model -> Python sources (models, services, events).

Pure: :func:`generate_sources` returns ``{relative path: text}``; writing, comparing and formatting
with ruff are the CLI's business.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from accord.codegen._names import module_name
from accord.codegen.build import build_project
from accord.codegen.ir import Project
from accord.codegen.render import header, is_generated, render_project
from accord.contracts import ContractSet

__all__ = ["Project", "build_project", "generate_sources", "header", "is_generated", "render_project"]


def generate_sources(
    contract_set: ContractSet,
    domains: Sequence[str] = (),
    formatter: Callable[[dict[str, str]], dict[str, str]] | None = None,
) -> dict[str, str]:
    """Every generated file for ``domains`` (all when empty), optionally passed through ``formatter``."""
    project = build_project(contract_set, domains)
    packages = [module_name(d) for d in domains] if domains else None
    files = render_project(project, packages)
    return formatter(files) if formatter is not None else files
