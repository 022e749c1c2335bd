"""The layer's layering, as two import-linter contract types (run by `make lint`).

`families`: the layer's top-level packages are the platform and the resource families.
The platform imports no family; each family imports the platform and only the families
it declares (`depends`); every package of the container is one or the other, so a new
folder cannot slip in undeclared.

`handlers`: each folder of `functions/` belongs to one family (`owners`); its handlers
import only that family and the platform's entry points for handlers (`entry`: the
pipeline, and `web` for HTML pages). A folder owned by the platform itself (the
catch-all, the OpenAPI document) may import any of the platform, and no family.

Both check direct imports, which is where a wrong dependency is written; a broken
contract names each offending import with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


@dataclass(frozen=True)
class Offence:
    rule: str
    importer: str
    imported: str
    lines: tuple[int, ...]

    def describe(self) -> str:
        where = ", ".join(f"l.{line}" for line in self.lines)
        return f"{self.rule}: {self.importer} -> {self.imported} ({where})"


def _declarations(raw: set[str], what: str) -> dict[str, set[str]]:
    """`"name: a b"` lines as {name: {a, b}}."""
    out: dict[str, set[str]] = {}
    for line in raw:
        name, sep, rest = line.partition(":")
        if not sep or not name.strip():
            raise ValueError(f"{what} entries read 'name: other other ...', not {line!r}")
        out[name.strip()] = set(rest.split())
    return out


def _owner(module: str, packages: set[str]) -> str | None:
    """The package of `packages` that holds `module`, if any."""
    for package in packages:
        if module == package or module.startswith(package + "."):
            return package
    return None


def _offences(graph: ImportGraph, importer: str, imported: str, rule: str) -> Offence:
    details = graph.get_import_details(importer=importer, imported=imported)
    return Offence(rule, importer, imported, tuple(sorted(d["line_number"] for d in details)))


def _render(check: ContractCheck) -> None:
    for line in check.metadata["offences"]:
        output.print_error(line, bold=False)
        output.new_line()


class FamiliesContract(Contract):
    """The platform imports no family; families import the families they declare."""

    type_name = "families"

    container = fields.StringField()
    platform = fields.StringField()
    # "family: dependency dependency ..." (names relative to the container); "family:" for none.
    depends = fields.SetField(subfield=fields.StringField())
    # Top-level modules that are neither (the package's own __init__, the plugin list).
    shared = fields.SetField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        options = vars(self)  # the parsed fields, set on the instance by Contract
        container = options["container"]
        platform = f"{container}.{options['platform']}"
        declared = {
            f"{container}.{family}": {f"{container}.{dep}" for dep in deps}
            for family, deps in _declarations(options["depends"], "depends").items()
        }
        shared = {f"{container}.{name}" for name in options["shared"] or ()}
        offences: list[str] = []
        for child in sorted(graph.find_children(container)):
            if child != platform and child not in declared and child not in shared:
                offences.append(f"{child} is neither the platform nor a declared family (add it to depends)")
        for family, deps in declared.items():
            for dep in deps - set(declared):
                offences.append(f"{family} declares {dep}, which is not a family")
        families = set(declared)
        for importer in sorted(graph.modules):
            source = platform if _owner(importer, {platform}) else _owner(importer, families)
            if source is None:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = _owner(imported, families)
                if target is None or target == source:
                    continue
                if source == platform:
                    rule = "the platform imports no family"
                elif target not in declared[source]:
                    rule = f"{source} does not declare {target}"
                else:
                    continue
                offences.append(_offences(graph, importer, imported, rule).describe())
        return ContractCheck(kept=not offences, metadata={"offences": offences})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check)


class HandlersContract(Contract):
    """Each function folder imports only its family and the platform's handler entry points."""

    type_name = "handlers"

    container = fields.StringField()
    # "folder: owning package" (e.g. "customers: core.customers").
    owners = fields.SetField(subfield=fields.StringField())
    platform = fields.StringField()
    entry = fields.SetField(subfield=fields.StringField())
    # Where the owners live: any import into it outside the owner and the entry is refused.
    layer = fields.StringField()

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        options = vars(self)  # the parsed fields, set on the instance by Contract
        container, layer, platform = options["container"], options["layer"], options["platform"]
        owners: dict[str, str] = {}
        for name, packages in _declarations(options["owners"], "owners").items():
            if len(packages) != 1:
                raise ValueError(f"{name} must name exactly one owning package")
            owners[f"{container}.{name}"] = packages.pop()
        entry: set[str] = options["entry"]
        offences: list[str] = []
        for child in sorted(graph.find_children(container)):
            if child not in owners:
                offences.append(f"{child} has no owning family (add it to owners)")
        for importer in sorted(graph.modules):
            folder = _owner(importer, set(owners))
            if folder is None:
                continue
            owner = owners[folder]
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if not _owner(imported, {layer}):
                    continue  # the standard library or a third-party package
                if _owner(imported, {owner}) or _owner(imported, entry):
                    continue
                rule = f"{folder} imports only {owner} and the handler entry points"
                if owner == platform:
                    rule = f"{folder} (owned by the platform) imports no family"
                offences.append(_offences(graph, importer, imported, rule).describe())
        return ContractCheck(kept=not offences, metadata={"offences": offences})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check)
