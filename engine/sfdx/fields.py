"""One field's metadata (`<CustomField>` or an old-format `<fields>`) → `ast.FieldDecl`."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from engine import ast, codes
from engine.diagnostics import Diagnostic
from engine.fieldtypes import FieldType, Kind
from engine.sfdx.xmlread import Document, Element
from engine.source import Span
from engine.standard_fields import OBJECT_API_NAMES, SALESFORCE_OBJECTS, standard_field

# Salesforce field types → syncrules kinds. Lengths come from `<length>` where it matters.
SIMPLE_KINDS: dict[str, Kind] = {
    "Email": Kind.EMAIL,
    "Phone": Kind.PHONE,
    "Number": Kind.NUMBER,
    "Currency": Kind.NUMBER,
    "Percent": Kind.NUMBER,
    "Checkbox": Kind.BOOLEAN,
    "Date": Kind.DATE,
    "DateTime": Kind.DATETIME,
}
TEXT_TYPES = ("Text", "EncryptedText")
LONG_TEXT_TYPES = ("LongTextArea", "Html")
REFERENCE_TYPES = ("Lookup", "MasterDetail", "Hierarchy")
ID_TYPES = ("ExternalLookup", "IndirectLookup", "MetadataRelationship")
# An API name as Salesforce allows it (`Email`, `Region__c`, `ns__Score__c`): metadata names
# files by these, so a name that is anything else (`../../outside/secret`) is refused
# rather than followed out of the imported tree.
METADATA_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def bad_name(what: str, name: str, span: Span) -> Diagnostic:
    return codes.INVALID_SETTING.at(
        span,
        f"{what} name {name[:80]!r} is not a Salesforce API name "
        "(letters, digits and _, starting with a letter)",
        hint="metadata names are never paths; nothing outside the imported tree is read",
    )


FORMULA_TEXT_LENGTH = 1300  # what a text formula can return in a record, roughly

# Looks up a value set (global or standard) by name: its values, or None if absent.
ValueSets = Callable[[str], tuple[str, ...] | None]


@dataclass(frozen=True, slots=True)
class FieldResult:
    """A field read from metadata: its declarations, problems, and notes for the report."""

    decls: tuple[ast.FieldDecl, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = ()


def read_field(
    doc: Document,
    element: Element,
    obj: str,
    fallback_name: str,
    global_sets: ValueSets,
    standard_sets: ValueSets,
) -> FieldResult:
    """Declare one field of `obj` from its metadata element."""
    name_el = element.child("fullName")
    name = name_el.text.strip() if name_el is not None else fallback_name
    name_span = doc.span(name_el) if name_el is not None else doc.span(element)
    if not METADATA_NAME.fullmatch(name):
        return FieldResult((), (bad_name("field", name, name_span),), ())
    ident = ast.Ident(name, name_span)
    type_text = element.value("type")
    if type_text is None:
        return _standard(doc, element, obj, ident, standard_sets)
    reader = _Reader(doc, element, obj, ident, global_sets)
    ftype, readonly = reader.field_type(type_text)
    required = element.flag("required")
    if element.child("formula") is not None:
        readonly = True  # a formula field is computed: nobody writes it
    std = standard_field(obj, name)
    if std is not None:
        required = required or std.required
        readonly = readonly or std.readonly
        if ftype.kind is Kind.PICKLIST and not ftype.values:
            values = _standard_values(std.value_set, std.type.values, standard_sets)
            ftype = FieldType(Kind.PICKLIST, values=values)
    decls = [_decl(ident, ftype, required, readonly, doc.span(element))]
    if type_text == "Location":  # a compound geolocation: its parts are numbers
        for part in ("Latitude", "Longitude"):
            sub = ast.Ident(f"{name.removesuffix('__c')}__{part}__s", name_span)
            decls.append(_decl(sub, FieldType(Kind.NUMBER), False, readonly, doc.span(element)))
    return FieldResult(tuple(decls), tuple(reader.diagnostics), tuple(reader.notes))


def _decl(
    ident: ast.Ident, ftype: FieldType, required: bool, readonly: bool, span: Span
) -> ast.FieldDecl:
    return ast.FieldDecl(
        ident, ast.TypeRef(str(ftype), ftype, ident.span), required, readonly, span
    )


def _standard(
    doc: Document, element: Element, obj: str, ident: ast.Ident, standard_sets: ValueSets
) -> FieldResult:
    std = standard_field(obj, ident.name)
    if std is None:
        api = OBJECT_API_NAMES[obj]
        message = (
            f"{os.path.basename(doc.source.path)} has no <type>, and {api} has no standard "
            f'field "{ident.name}" that syncrules knows'
        )
        hint = "a custom field needs its <type>; docs/sfdx-import.md lists the standard fields"
        return FieldResult((), (codes.INVALID_TYPE.at(ident.span, message, hint=hint),))
    ftype = std.type
    if ftype.kind is Kind.PICKLIST:
        values = _valueset_values(element) or _standard_values(
            std.value_set, ftype.values, standard_sets
        )
        ftype = FieldType(Kind.PICKLIST, values=values)
    required = std.required or element.flag("required")
    return FieldResult((_decl(ident, ftype, required, std.readonly, doc.span(element)),))


def _standard_values(
    name: str | None, shipped: tuple[str, ...], sets: ValueSets
) -> tuple[str, ...]:
    """A standard picklist's values: the tree's standardValueSets file, else a new org's."""
    found = sets(name) if name else None
    return found if found else shipped


def _valueset_values(element: Element) -> tuple[str, ...]:
    """Active values listed in the field itself (`valueSetDefinition`, or old `picklist`)."""
    value_set = element.child("valueSet")
    if value_set is not None:
        definition = value_set.child("valueSetDefinition")
        if definition is None:
            return ()
        values = [_active(v) for v in definition.all("value") if v.flag("isActive", True)]
        return tuple(dict.fromkeys(values))  # each once, as a picklist declares them
    picklist = element.child("picklist")  # metadata API before v38
    if picklist is not None:
        return tuple(dict.fromkeys(_active(v) for v in picklist.all("picklistValues")))
    return ()


def _active(value: Element) -> str:
    name = value.child("fullName")
    return name.text if name is not None else ""


class _Reader:
    """Reads a typed field; collects problems and report notes as it goes."""

    def __init__(
        self, doc: Document, element: Element, obj: str, ident: ast.Ident, global_sets: ValueSets
    ) -> None:
        self.doc = doc
        self.element = element
        self.obj = obj
        self.ident = ident
        self.global_sets = global_sets
        self.diagnostics: list[Diagnostic] = []
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(f"{OBJECT_API_NAMES[self.obj]}.{self.ident.name}: {text}")

    def length(self, default: int) -> int:
        text = self.element.value("length")
        try:
            return max(1, int(text)) if text else default
        except ValueError:
            return default

    def field_type(self, type_text: str) -> tuple[FieldType, bool]:
        """The syncrules type of a Salesforce field type, and whether it is read-only."""
        formula = self.element.child("formula") is not None
        if type_text in SIMPLE_KINDS:
            if SIMPLE_KINDS[type_text] is Kind.NUMBER:
                return self.number(), False
            return FieldType(SIMPLE_KINDS[type_text]), False
        if type_text in TEXT_TYPES:
            default = FORMULA_TEXT_LENGTH if formula else 255
            return FieldType(Kind.TEXT, length=min(self.length(default), 131072)), False
        if type_text == "TextArea":
            return FieldType(Kind.TEXTAREA, length=255), False
        if type_text in LONG_TEXT_TYPES:
            return FieldType(Kind.TEXTAREA, length=self.length(32768)), False
        if type_text == "Url":
            return FieldType(Kind.TEXT, length=255), False
        if type_text in ("Picklist", "MultiselectPicklist"):
            kind = Kind.PICKLIST if type_text == "Picklist" else Kind.MULTIPICKLIST
            values = self.picklist_values()
            return FieldType(kind, values=values or (), any_value=values is None), False
        if type_text in REFERENCE_TYPES:
            return self.reference(), False
        if type_text in ID_TYPES:
            return FieldType(Kind.ID), False
        if type_text == "AutoNumber":
            return FieldType(Kind.TEXT, length=30), True
        if type_text == "Summary":
            self.note("a roll-up summary: read as a read-only number")
            return FieldType(Kind.NUMBER), True
        self.note(f"type {type_text} is read as read-only text")
        return FieldType(Kind.TEXT, length=255), True

    def number(self) -> FieldType:
        """A number with the metadata's <precision> and <scale> (digits in all, and right
        of the point), which bound the values it holds (runtime/fit.py)."""
        return FieldType(
            Kind.NUMBER, precision=self.digits("precision"), scale=self.digits("scale")
        )

    def digits(self, name: str) -> int | None:
        text = self.element.value(name)
        try:
            return max(0, int(text)) if text else None
        except ValueError:
            return None

    def reference(self) -> FieldType:
        targets = [t.text.strip() for t in self.element.all("referenceTo")]
        if self.element.value("type") == "Hierarchy":
            targets = ["User"]
        if len(targets) == 1 and targets[0] in SALESFORCE_OBJECTS:
            target = SALESFORCE_OBJECTS[targets[0]]
            if target != "campaign_member":
                return FieldType(Kind.REFERENCE, target=target)
        return FieldType(Kind.ID)

    def picklist_values(self) -> tuple[str, ...] | None:
        """The picklist's values; None when they are unknown (a missing global value set)."""
        value_set = self.element.child("valueSet")
        if value_set is not None:
            set_name = value_set.child("valueSetName")
            if set_name is not None:
                return self.global_values(set_name)
            if not value_set.flag("restricted"):
                self.note("an unrestricted picklist: the API accepts other values too")
        return _valueset_values(self.element)

    def global_values(self, set_name: Element) -> tuple[str, ...] | None:
        name = set_name.text.strip()
        if not METADATA_NAME.fullmatch(name):  # never a path: ../../outside/secret
            self.diagnostics.append(bad_name("value set", name, self.doc.span(set_name)))
            return ()
        found = self.global_sets(name)
        if found is None:
            # an org retrieved in part (SPEC §1): not an error, a lint finding
            self.diagnostics.append(
                codes.GLOBAL_VALUE_SET_MISSING.at(
                    self.doc.span(set_name),
                    f'the global value set "{name}" is not in the imported tree: '
                    f"{OBJECT_API_NAMES[self.obj]}.{self.ident.name} accepts any value",
                    hint=f"add globalValueSets/{name}.globalValueSet-meta.xml to the tree",
                )
            )
        return found
