"""``accord init DOMAIN``: scaffold a new domain that validates and lints clean from the start.

Writes ``<root>/<domain>/openapi.yaml`` and ``asyncapi.yaml`` from the templates in
``accord_cli/scaffold/`` (the house style of docs/conventions.md: list, create, read and update
of one resource, one ``<entity>.created`` event) and adds the domain to the catalogue
``<root>/accord.yaml`` by editing its text, so comments and layout survive. A root without the
shared fragments gets ``common/`` too, and a root without a catalogue gets a new one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import click
import yaml

from accord.config import CONFIG_NAME, load_config
from accord.errors import UsageError
from accord.model import Location
from accord_cli._errors import report_errors
from accord_cli._output import console

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_OWNER = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_RESERVED = frozenset({"common", "accord"})
_PLAIN_SCALAR = re.compile(r"^[A-Za-z][A-Za-z0-9 ./()&+;,_-]*$")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_DEFAULT_CATALOGUE = """\
# Accord catalogue: one entry per business domain. `accord` reads this file to find the contracts,
# the gateway routes each domain to its upstream, and `lint` applies the ruleset configured below.
version: 1
domains:
{entry}
lint:
  extends: recommended
  rules: {{}}
"""


@dataclass(frozen=True)
class Names:
    """Every spelling of the domain, its resource collection and its entity that the templates use."""

    domain: str
    resource: str
    entity_words: tuple[str, ...]

    @property
    def values(self) -> dict[str, str]:
        entity = "-".join(self.entity_words)
        resource_words = self.resource.split("-")
        pascal = "".join(w.capitalize() for w in self.entity_words)
        prefix = (
            self.entity_words[0][:3].upper()
            if len(self.entity_words) == 1
            else "".join(w[0] for w in self.entity_words).upper()
        )
        words = " ".join(self.entity_words)
        return {
            "domain": self.domain,
            "resource": self.resource,
            "Title": " ".join(self.domain.split("-")).capitalize(),
            "Entity": pascal,
            "entity": pascal[0].lower() + pascal[1:],
            "entityKebab": entity,
            "entityWords": words,
            "EntityWords": words.capitalize(),
            "Resources": "".join(w.capitalize() for w in resource_words),
            "resourceWords": " ".join(resource_words),
            "ResourceWords": " ".join(resource_words).capitalize(),
            "an": "n" if words[0] in "aeiou" else "",
            "idPrefix": prefix,
            "idMaxLength": str(len(prefix) + 13),
            "exampleId": f"{prefix}-100001",
        }


def is_plural(word: str) -> bool:
    """The plural heuristic of the ``path-segments-plural`` rule, for the words a scaffold uses."""
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


def singular(word: str) -> str:
    """English singular of a regular plural noun (``categories`` -> ``category``, ``boxes`` -> ``box``)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def derive_names(domain: str, resource: str | None, entity: str | None) -> Names:
    """Check the names and derive the entity; :class:`UsageError` names the option to fix."""
    if not _NAME.match(domain) or len(domain) > 40:
        raise UsageError(
            f"domain name {domain!r} must be kebab-case (lower-case letters, digits and single hyphens), "
            "at most 40 characters"
        )
    if domain in _RESERVED:
        raise UsageError(f"domain name {domain!r} is reserved")
    collection = resource or domain
    if not _NAME.match(collection):
        raise UsageError(f"--resource {collection!r} must be kebab-case")
    if not is_plural(collection.split("-")[-1]):
        raise UsageError(
            f"the collection path /v1/{collection} must be a plural noun: "
            "pass --resource with the plural name of the domain's main resource (e.g. --resource price-lists)"
        )
    if entity is not None and not _NAME.match(entity):
        raise UsageError(f"--entity {entity!r} must be kebab-case")
    words = (
        entity.split("-") if entity else [*collection.split("-")[:-1], singular(collection.split("-")[-1])]
    )
    return Names(domain, collection, tuple(words))


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as the same string: plain when safe, else quoted."""
    if _PLAIN_SCALAR.match(text) and text.strip() == text and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def render(template: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return _PLACEHOLDER.sub(replace, template)


def _template(name: str) -> str:
    return files("accord_cli").joinpath("scaffold", name).read_text(encoding="utf-8")


def catalogue_entry(domain: str, fields: dict[str, str], indent: str) -> str:
    lines = [f"{indent}{domain}:"]
    lines.extend(f"{indent}  {key}: {value}" for key, value in fields.items())
    return "\n".join(lines) + "\n"


def add_to_catalogue(text: str, domain: str, fields: dict[str, str]) -> str:
    """Insert a domain entry at the end of the ``domains:`` block of a catalogue's text.

    Comments, blank lines and everything outside the block are kept as written; the entry uses the
    indentation of the existing entries.
    """
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^domains:\s*(#.*)?$", line)), None)
    if start is None:
        inline = next((i for i, line in enumerate(lines) if re.match(r"^domains:\s*\{\s*\}\s*$", line)), None)
        entry = catalogue_entry(domain, fields, "  ")
        if inline is not None:
            lines[inline] = "domains:\n" + entry
            return "".join(lines)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        return "".join(lines) + "domains:\n" + entry
    end = len(lines)
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() and not line[0].isspace() and not line.startswith("#"):
            end = i
            break
    indent = "  "
    last_content = start
    for i in range(start + 1, end):
        stripped = lines[i].lstrip(" ")
        if stripped.strip() and not stripped.startswith("#"):
            if last_content == start:
                indent = lines[i][: len(lines[i]) - len(stripped)]
            last_content = i
    if lines[last_content] and not lines[last_content].endswith("\n"):
        lines[last_content] += "\n"
    lines.insert(last_content + 1, catalogue_entry(domain, fields, indent))
    return "".join(lines)


def _collisions(root: Path, names: Names, values: dict[str, str]) -> list[str]:
    """Operation ids and collection paths the new domain would share with an existing contract."""
    ids = [f"list{values['Resources']}", f"create{values['Entity']}", f"get{values['Entity']}"]
    ids.append(f"update{values['Entity']}")
    found: list[str] = []
    for path in sorted(root.glob("*/openapi.y*ml")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for op_id in ids:
            if re.search(rf"^\s*operationId:\s*['\"]?{op_id}['\"]?\s*$", text, re.MULTILINE):
                found.append(f"operationId {op_id} is used in {path}")
        if re.search(rf"^\s*['\"]?/v1/{re.escape(names.resource)}['\"]?:\s*$", text, re.MULTILINE):
            found.append(f"path /v1/{names.resource} is in {path}")
    return found


def scaffold(
    root: Path,
    domain: str,
    *,
    owner: str | None = None,
    system_of_record: str | None = None,
    stability: str = "experimental",
    resource: str | None = None,
    entity: str | None = None,
    upstream: str | None = None,
) -> list[Path]:
    """Create the domain under ``root``; returns the files written (or raises :class:`UsageError`)."""
    names = derive_names(domain, resource, entity)
    team = owner or f"{domain}-team"
    if not _OWNER.match(team):
        raise UsageError(f"--owner {team!r} must be a kebab-case team name")
    sor = (system_of_record or "TBD").strip()
    if not sor or "\n" in sor:
        raise UsageError("--system-of-record must be one non-empty line")
    if upstream is not None and not re.match(r"^https?://[^\s]+$", upstream):
        raise UsageError(f"--upstream {upstream!r} must be an http(s) URL")
    folder = root / domain
    catalogue = root / CONFIG_NAME
    existing: set[str] = set()
    if catalogue.is_file():
        existing = set(load_config(catalogue).domains)  # ConfigError (exit 2) when it is broken
        if domain in existing:
            raise UsageError(f"domain {domain!r} is already in the catalogue", Location(str(catalogue)))
    if folder.exists():
        raise UsageError(f"{folder} already exists", Location(str(folder)))
    values = {**names.values, "owner": team, "systemOfRecord": yaml_scalar(sor), "stability": stability}
    clashes = _collisions(root, names, values)
    if clashes:
        raise UsageError("; ".join(clashes) + " (choose another --resource or --entity)")
    documents = {
        "openapi.yaml": render(_template("openapi.yaml.tmpl"), values),
        "asyncapi.yaml": render(_template("asyncapi.yaml.tmpl"), values),
    }
    for text in documents.values():  # the substitution must never change what the scalars mean
        info = yaml.safe_load(text)["info"]
        if info["x-accord-system-of-record"] != sor or info["x-accord-owner"] != team:
            raise UsageError(f"--system-of-record {sor!r} cannot be written into the scaffold")
    fields = {"owner": team, "systemOfRecord": yaml_scalar(sor), "stability": stability}
    if upstream:
        fields["upstream"] = upstream
    fields.update({"openapi": f"{domain}/openapi.yaml", "asyncapi": f"{domain}/asyncapi.yaml"})
    if catalogue.is_file():
        new_catalogue = add_to_catalogue(catalogue.read_text(encoding="utf-8"), domain, fields)
    else:
        new_catalogue = _DEFAULT_CATALOGUE.format(entry=catalogue_entry(domain, fields, "  "))
    parsed = yaml.safe_load(new_catalogue)
    if not isinstance(parsed, dict) or set(parsed.get("domains") or {}) != {*existing, domain}:
        raise UsageError(
            "could not add the domain to the catalogue; add it by hand", Location(str(catalogue))
        )
    written: list[Path] = []
    common = root / "common"
    if not common.exists():
        common.mkdir(parents=True)
        for item in sorted(files("accord_cli").joinpath("scaffold", "common").iterdir(), key=str):
            if item.name.endswith(".yaml"):
                target = common / item.name
                target.write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
                written.append(target)
    folder.mkdir(parents=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    catalogue.write_text(new_catalogue, encoding="utf-8")
    written.append(catalogue)
    return written


@click.command("init")
@click.argument("domain")
@click.option("--owner", metavar="TEAM", help="Owning team (kebab-case). Default: <domain>-team.")
@click.option(
    "--system-of-record", "system_of_record", metavar="SYS", help="System of record (e.g. 'ERP / WMS')."
)
@click.option(
    "--stability",
    type=click.Choice(["stable", "beta", "experimental"]),
    default="experimental",
    show_default=True,
    help="x-accord-stability of the new documents.",
)
@click.option("--resource", metavar="PLURAL", help="Collection path segment (default: the domain name).")
@click.option("--entity", metavar="SINGULAR", help="Entity name (default: the singular of --resource).")
@click.option("--upstream", metavar="URL", help="Upstream URL the gateway routes the domain to.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("contracts"),
    show_default=True,
    help="Contract root holding accord.yaml.",
)
@report_errors
def command(
    domain: str,
    owner: str | None,
    system_of_record: str | None,
    stability: str,
    resource: str | None,
    entity: str | None,
    upstream: str | None,
    root: Path,
) -> None:
    """Scaffold a new DOMAIN: OpenAPI + AsyncAPI documents and a catalogue entry.

    The documents follow the house conventions (list, create, read and update of one resource and
    its created event), so `accord validate` and `accord lint` pass before you change anything.
    Refuses (exit 2) a bad name or a domain that already exists.
    """
    out = console()
    written = scaffold(
        root,
        domain,
        owner=owner,
        system_of_record=system_of_record,
        stability=stability,
        resource=resource,
        entity=entity,
        upstream=upstream,
    )
    for path in written:
        out.out(f"wrote {path}")
    out.info(f"next: edit {root / domain}/*.yaml, then `accord validate {root}` and `accord lint {root}`")
