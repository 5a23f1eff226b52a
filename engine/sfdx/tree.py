"""An SFDX (or older metadata-API) source tree → object declarations and validation rules.

Two layouts are read (SPEC §1, import salesforce):

    objects/Lead/fields/Region__c.field-meta.xml              SFDX source format
    objects/Lead/validationRules/Needs_Region.validationRule-meta.xml
    objects/Lead.object                                       metadata API format:
        <CustomObject><fields>…</fields><validationRules>…</validationRules></CustomObject>

plus `globalValueSets/<Name>.globalValueSet-meta.xml` for picklists that use a global
value set and `standardValueSets/<Name>.standardValueSet-meta.xml` for an org's own
values of a standard picklist (LeadSource, Industry …). Objects other than the six
syncrules models are skipped with a note. Within an object, fields and rules are read in
file-name order (SPEC §1: imported validation rules are declared in that order).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from engine import ast, codes
from engine.diagnostics import Diagnostic
from engine.fieldtypes import FieldType
from engine.files import read_source
from engine.sfdx.fields import METADATA_NAME, bad_name, read_field
from engine.sfdx.formula import Placed, parse_formula
from engine.sfdx.xmlread import Document, Element, parse_document
from engine.source import SourceFile, Span
from engine.standard_fields import SALESFORCE_OBJECTS, standard_fields

FIELD_SUFFIX = ".field-meta.xml"
RULE_SUFFIX = ".validationRule-meta.xml"
GLOBAL_SUFFIX = ".globalValueSet-meta.xml"
STANDARD_SUFFIX = ".standardValueSet-meta.xml"


@dataclass(frozen=True, slots=True)
class ImportedRule:
    """One validation rule as read: where it is, and its node (None when set aside)."""

    name: str
    object: str
    path: str
    start: int  # the rule's character range in its file (the whole file for SFDX)
    end: int
    formula: str
    node: ast.Validation | None

    def contains(self, span: Span) -> bool:
        return span.path == self.path and self.start <= span.start <= self.end


@dataclass(frozen=True, slots=True)
class ImportedTree:
    """Everything one `import salesforce` read, in declaration order."""

    root: str
    objects: tuple[ast.ObjectDecl, ...]
    rules: tuple[ImportedRule, ...]
    imported_objects: tuple[str, ...]  # syncrules names of the objects the tree has
    skipped: tuple[str, ...]  # Salesforce names of objects syncrules does not model
    notes: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, SourceFile]
    standard_values: dict[str, tuple[str, ...]]  # the tree's standardValueSets, by name

    @property
    def validations(self) -> tuple[ast.Validation, ...]:
        return tuple(r.node for r in self.rules if r.node is not None)


@dataclass(slots=True)
class _Reader:
    root: str
    at: Span
    objects: list[ast.ObjectDecl] = field(default_factory=list)
    rules: list[ImportedRule] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    value_sets: dict[tuple[str, str], tuple[str, ...] | None] = field(default_factory=dict)

    # -- files ---------------------------------------------------------------------------

    def document(self, path: str) -> Document | None:
        if not self.inside(path):
            return None
        result = read_source(path)
        if result.source is None:
            assert result.diagnostic is not None
            self.diagnostics.append(result.diagnostic)
            return None
        self.sources[path] = result.source
        parsed = parse_document(result.source)
        if isinstance(parsed, Diagnostic):
            self.diagnostics.append(parsed)
            return None
        return parsed

    def inside(self, path: str) -> bool:
        """Whether `path` resolves (symbolic links followed) inside the imported tree; one
        that does not is refused with an error at the `import` line, and not read."""
        real_root = os.path.realpath(self.root)
        if os.path.commonpath([real_root, os.path.realpath(path)]) == real_root:
            return True
        self.diagnostics.append(
            codes.MISSING_INCLUDE.at(
                self.at,
                f"{os.path.relpath(path, self.root)} resolves outside the imported tree "
                f"({os.path.realpath(path)}): not read",
                hint="an imported tree is read only inside its own folder",
            )
        )
        return False

    def value_set(self, kind: str, name: str) -> tuple[str, ...] | None:
        """A global or standard value set from the tree, read once; None if absent."""
        key = (kind, name)
        if key not in self.value_sets:
            folder, suffix, tag = (
                ("globalValueSets", GLOBAL_SUFFIX, "customValue")
                if kind == "global"
                else ("standardValueSets", STANDARD_SUFFIX, "standardValue")
            )
            path = os.path.join(self.root, folder, name + suffix)
            values: tuple[str, ...] | None = None
            if os.path.isfile(path):
                doc = self.document(path)
                if doc is not None:
                    values = tuple(
                        dict.fromkeys(  # each once (StateCode has "WA" twice)
                            (v.value("fullName") or "")
                            for v in doc.root.all(tag)
                            if v.flag("isActive", True)
                        )
                    )
            self.value_sets[key] = values
        return self.value_sets[key]

    # -- objects -------------------------------------------------------------------------

    def read(self) -> None:
        for path in _files(os.path.join(self.root, "standardValueSets"), STANDARD_SUFFIX):
            self.value_set("standard", os.path.basename(path).removesuffix(STANDARD_SUFFIX))
        objects_dir = self.objects_dir()
        if objects_dir is None:
            self.diagnostics.append(
                codes.MISSING_INCLUDE.at(
                    self.at,
                    f"cannot import {self.root!r}: it has no objects/ folder",
                    hint="name the folder that holds objects/, e.g. force-app/main/default",
                )
            )
            return
        for entry in sorted(Path(objects_dir).iterdir(), key=lambda p: p.name):
            api_name = entry.name.removesuffix(".object") if entry.is_file() else entry.name
            if entry.is_file() and not entry.name.endswith(".object"):
                continue
            obj = SALESFORCE_OBJECTS.get(api_name)
            if obj is None:
                if api_name not in self.skipped:
                    self.skipped.append(api_name)
                continue
            if obj not in self.imported:
                self.imported.append(obj)
            path = os.path.join(objects_dir, entry.name)
            if entry.is_file():
                self.read_object_file(path, obj)
            else:
                self.read_object_dir(path, obj)

    def objects_dir(self) -> str | None:
        inside = os.path.join(self.root, "objects")
        if os.path.isdir(inside):
            return inside
        if os.path.basename(os.path.normpath(self.root)) == "objects":
            return self.root
        return None

    def read_object_dir(self, folder: str, obj: str) -> None:
        decls: list[ast.FieldDecl] = []
        for path in _files(os.path.join(folder, "fields"), FIELD_SUFFIX):
            doc = self.document(path)
            if doc is not None:
                stem = os.path.basename(path).removesuffix(FIELD_SUFFIX)
                decls.extend(self.field(doc, doc.root, obj, stem))
        self.declare(obj, decls, folder)
        for path in _files(os.path.join(folder, "validationRules"), RULE_SUFFIX):
            doc = self.document(path)
            if doc is not None:
                stem = os.path.basename(path).removesuffix(RULE_SUFFIX)
                self.rule(doc, doc.root, obj, stem, whole=True)

    def read_object_file(self, path: str, obj: str) -> None:
        doc = self.document(path)
        if doc is None:
            return
        decls: list[ast.FieldDecl] = []
        for element in doc.root.all("fields"):
            decls.extend(self.field(doc, element, obj, ""))
        self.declare(obj, decls, path)
        rules = list(doc.root.all("validationRules"))
        # SPEC §1: file-name order; in one .object file, the rules' names stand for files
        rules.sort(key=lambda r: r.value("fullName") or "")
        for element in rules:
            self.rule(doc, element, obj, "", whole=False)

    def declare(self, obj: str, decls: list[ast.FieldDecl], where: str) -> None:
        if decls:
            span = decls[0].span
            self.objects.append(ast.ObjectDecl(ast.Ident(obj, span), tuple(decls), span))

    def field(self, doc: Document, element: Element, obj: str, stem: str) -> list[ast.FieldDecl]:
        result = read_field(
            doc,
            element,
            obj,
            stem,
            lambda name: self.value_set("global", name),
            lambda name: self.value_set("standard", name),
        )
        self.diagnostics.extend(result.diagnostics)
        self.notes.extend(result.notes)
        return list(result.decls)

    # -- validation rules ------------------------------------------------------------------

    def rule(self, doc: Document, element: Element, obj: str, stem: str, *, whole: bool) -> None:
        name_el = element.child("fullName")
        name = name_el.text.strip() if name_el is not None else stem
        if not METADATA_NAME.fullmatch(name):
            where = doc.span(name_el) if name_el is not None else doc.source.span(0, 0)
            self.diagnostics.append(bad_name("validation rule", name, where))
            return
        if whole:
            start, end = 0, len(doc.source.text)
        else:
            start = doc.char_offset(element.start)
            end = doc.char_offset(element.end)
        rule_span = doc.source.span(start, end)
        name_span = doc.span(name_el) if name_el is not None else doc.source.span(0, 0)
        formula_el = element.child("errorConditionFormula")
        if formula_el is None:
            missing = codes.INVALID_SETTING.at(
                name_span, f"validation rule {name} has no errorConditionFormula"
            )
            self.diagnostics.append(_required(codes.set_aside(name, [missing])))
            self.rules.append(ImportedRule(name, obj, doc.source.path, start, end, "", None))
            return
        formula = formula_el.text
        parsed = parse_formula(formula, Placed(doc.source, doc.text_positions(formula_el)))
        # a rule whose formula cannot be read is set aside: located, and the rest runs
        aside = codes.set_aside(name, parsed.diagnostics)
        if aside is not None:
            self.diagnostics.append(aside)
        node = None
        if parsed.expr is not None and aside is None:
            display_el = element.child("errorDisplayField")
            display = (
                ast.Ident(display_el.text.strip(), doc.span(display_el))
                if display_el is not None and display_el.text.strip()
                else None
            )
            message = element.value("errorMessage") or ""
            node = ast.Validation(
                ast.Ident(name, name_span),
                ast.Ident(obj, name_span),
                parsed.expr,
                message,
                display,
                element.flag("active", True),
                (),
                rule_span,
                imported=True,
            )
        self.rules.append(ImportedRule(name, obj, doc.source.path, start, end, formula, node))


def _required(diagnostic: Diagnostic | None) -> Diagnostic:
    assert diagnostic is not None  # set_aside of an error is a finding
    return diagnostic


def _files(folder: str, suffix: str) -> list[str]:
    if not os.path.isdir(folder):
        return []
    return sorted(
        os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(suffix)
    )


def import_tree(root: str, at: Span) -> ImportedTree:
    """Read one SFDX or metadata-API source tree; `at` is the `import` line, for notes."""
    reader = _Reader(root, at)
    reader.read()
    if reader.skipped:
        listed = ", ".join(reader.skipped[:8]) + (", …" if len(reader.skipped) > 8 else "")
        count = len(reader.skipped)
        reader.diagnostics.append(
            codes.UNSUPPORTED.at(
                at,
                f"{count} object{'s' if count != 1 else ''} skipped: {listed}",
                hint="syncrules reads Lead, Contact, Account, User, Campaign and CampaignMember",
            )
        )
    return ImportedTree(
        root,
        tuple(reader.objects),
        tuple(reader.rules),
        tuple(reader.imported),
        tuple(reader.skipped),
        tuple(reader.notes),
        tuple(reader.diagnostics),
        reader.sources,
        {
            name: values
            for (kind, name), values in reader.value_sets.items()
            if kind == "standard" and values
        },
    )


def standard_declarations(
    tree: ImportedTree, items: tuple[ast.Item, ...] | list[ast.Item], at: Span
) -> tuple[ast.ObjectDecl, ...]:
    """The standard fields of the tree's objects that nothing else in the rule set declares.

    They are typed without being declared (issue 6) — but only for objects an imported tree
    has, and never against a declaration of the same field elsewhere: a rule file's or the
    tree's own declaration wins, so the table cannot cause a duplicate-declaration.
    """
    declared: dict[str, set[str]] = {}
    for item in items:
        if isinstance(item, ast.ObjectDecl):
            names = declared.setdefault(item.object.name, set())
            names.update(f.name.name.casefold() for f in item.fields)
    decls: list[ast.ObjectDecl] = []
    for obj in tree.imported_objects:
        taken = declared.get(obj, set())
        fields = []
        for key, std in sorted(standard_fields(obj).items()):
            if key in taken:
                continue
            ftype = std.type
            if std.value_set in tree.standard_values:
                ftype = FieldType(ftype.kind, values=tree.standard_values[std.value_set])
            fields.append(
                ast.FieldDecl(
                    ast.Ident(std.name, at),
                    ast.TypeRef(str(ftype), ftype, at),
                    std.required,
                    std.readonly,
                    at,
                )
            )
        if obj == "account":
            fields.extend(_person_fields(tree, taken))
        if fields:
            decls.append(ast.ObjectDecl(ast.Ident(obj, at), tuple(fields), at))
    return tuple(decls)


def _person_fields(tree: ImportedTree, taken: set[str]) -> list[ast.FieldDecl]:
    """Person accounts show each custom Contact field `X__c` as the Account field `X__pc`."""
    found: list[ast.FieldDecl] = []
    for decl in tree.objects:
        if decl.object.name != "contact":
            continue
        for fdecl in decl.fields:
            name = fdecl.name.name
            if not name.endswith("__c") or (name[:-1] + "pc").casefold() in taken:
                continue
            person = ast.Ident(name[:-1] + "pc", fdecl.name.span)
            found.append(ast.FieldDecl(person, fdecl.type, False, fdecl.readonly, fdecl.span))
            taken.add(person.name.casefold())
    return found
