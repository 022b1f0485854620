"""Generated reference pages: ``python -m accord_cli.docgen docs [--check]``.

Each page is a pure function returning Markdown, registered in :data:`PAGES` under its path
relative to the docs folder. ``--check`` writes nothing and exits 1 when a page is out of date (for
CI). Pages today:

- ``reference/rules.md`` — the rule catalogue, from the lint registry (built-in rules only, plus the
  structural checks ``accord lint`` reports).
- ``reference/cli.md`` — the command reference, when ``accord_cli.docgen_cli`` is present.

Hook for other generated pages: call :func:`register_page` at import time of a module listed in
:data:`PAGE_MODULES`, or add the module there. The diff change-kind catalogue belongs at
``reference/change-kinds.md`` with one ``### <change-id>`` heading per kind: SARIF ``helpUri``s of
diff results point at ``reference/change-kinds.html#<change-id>`` (rules: ``reference/rules.html#<id>``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accord.report import CatalogueRule

#: page path (relative to the docs folder) -> function rendering it.
PAGES: dict[str, Callable[[], str]] = {}

#: Modules that register pages of their own with :func:`register_page` (imported when present).
#: Add e.g. ``"accord_cli.docgen_changes"`` for the diff change kinds (``reference/change-kinds.md``).
PAGE_MODULES: tuple[str, ...] = ()


def register_page(path: str, render: Callable[[], str]) -> None:
    """Add a generated page; ``path`` is relative to the docs folder, ``render`` returns its text."""
    PAGES[path] = render


def catalogue_rules(*, plugins: bool = False, config_path: Path | None = None) -> list[CatalogueRule]:
    """Built-in rules (and, with ``plugins``, installed and configured plugin rules) plus structural checks."""
    from accord.lint import RULES, load_builtin_rules
    from accord_cli._validation_rules import VALIDATION_RULES

    load_builtin_rules()
    if plugins:
        from accord.lint.runner import load_plugins

        modules: list[str] = []
        if config_path is not None:
            from accord.config import load_config

            config = load_config(config_path)
            modules = list(config.lint.plugins)
            folder = str(Path(config.root).resolve())
            sys.path.insert(0, folder)
            try:
                load_plugins(modules)
            finally:
                sys.path.remove(folder)
        else:
            load_plugins(modules)
        chosen: list[CatalogueRule] = list(RULES.values())
    else:
        chosen = [r for r in RULES.values() if r.check.__module__.startswith("accord.lint.rules.")]
    return [*chosen, *VALIDATION_RULES.values()]


def rules_page() -> str:
    """``docs/reference/rules.md``: the rule catalogue (deterministic: built-in rules only)."""
    from accord.report import render_rule_catalogue

    return render_rule_catalogue(catalogue_rules())


def _cli_page() -> str:
    module = importlib.import_module("accord_cli.docgen_cli")
    text: str = module.render_cli_reference()
    return text


register_page("reference/rules.md", rules_page)
if importlib.util.find_spec("accord_cli.docgen_cli") is not None:
    register_page("reference/cli.md", _cli_page)


def write_rules_page(docs: Path) -> Path:
    """Write ``reference/rules.md`` below ``docs``; returns the path written."""
    target = docs / "reference" / "rules.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(rules_page(), encoding="utf-8")
    return target


def generate(docs: Path, *, check: bool = False) -> list[Path]:
    """Write every page (or, with ``check``, only compare). Returns the pages that were out of date."""
    for name in PAGE_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    stale: list[Path] = []
    for relative, render in sorted(PAGES.items()):
        target = docs / relative
        text = render()
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(target)
        if not check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m accord_cli.docgen DOCS_DIR [--check]``: 0 when up to date (or written), 1 stale, 2 usage."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    rest = [a for a in args if a != "--check"]
    if len(rest) != 1:
        print("usage: python -m accord_cli.docgen DOCS_DIR [--check]", file=sys.stderr)
        return 2
    docs = Path(rest[0])
    if not docs.is_dir():
        print(f"error: {docs}: not a folder", file=sys.stderr)
        return 2
    stale = generate(docs, check=check)
    for path in stale:
        print(f"{'out of date' if check else 'wrote'}: {path}", file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
