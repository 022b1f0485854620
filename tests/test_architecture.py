"""Import rules (docs/architecture.md) and the pinned public API."""

from __future__ import annotations

import ast
from pathlib import Path

import accord

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_ENGINE = ("accord_cli", "accord_gateway", "cli", "gateway")
EXPECTED_PUBLIC_API = [
    "AccordError",
    "Change",
    "ConfigError",
    "ContractSet",
    "Document",
    "Finding",
    "InputError",
    "Location",
    "ParseError",
    "RefError",
    "Severity",
    "UnsupportedSpecError",
    "UsageError",
    "bundle",
    "dereference",
    "load_contract_set",
    "load_document",
    "validate_document",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_engine_never_imports_cli_or_gateway() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(_imports(path) & set(FORBIDDEN_IN_ENGINE))}"
        for path in (ROOT / "accord").rglob("*.py")
        if _imports(path) & set(FORBIDDEN_IN_ENGINE)
    ]
    assert offenders == []


def test_cli_and_gateway_do_not_import_each_other() -> None:
    for package, other in (("cli/accord_cli", "accord_gateway"), ("gateway/accord_gateway", "accord_cli")):
        offenders = [p for p in (ROOT / package).rglob("*.py") if other in _imports(p)]
        # The CLI starts the gateway server: only its gateway command may import it.
        offenders = [p for p in offenders if p.name != "gateway.py" and "demo" not in p.parts]
        assert offenders == [], f"{package} must not import {other}: {offenders}"


def test_public_api_is_pinned_and_sorted() -> None:
    assert accord.__all__ == EXPECTED_PUBLIC_API
    assert accord.__all__ == sorted(accord.__all__)
    for name in accord.__all__:
        assert getattr(accord, name) is not None


def test_no_generic_top_level_import_names() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    top_level = {Path(p).name for p in packages}
    assert top_level == {"accord", "accord_cli", "accord_gateway"}
