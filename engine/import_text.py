"""Imported declarations as rule-file text (`syncrules import-salesforce DIR`).

The output is a `.sync` file a user can read, review and vendor in place of the
`import salesforce` line: one `object` block per object with the tree's fields, one with
the standard fields the tree does not list (from syncrules' table), then the validation
rules in declaration order. A rule that was set aside is printed as a comment with its
located reason, so nothing read from the tree silently disappears.
"""

from __future__ import annotations

import textwrap

from engine import ast
from engine.import_report import RuleReport, Status, TreeReport, analyse
from engine.sfdx.formula import normalise
from engine.sfdx.tree import standard_declarations
from engine.standard_fields import OBJECT_API_NAMES

INDENT = "    "


def declarations_text(root: str) -> str:
    """The rule-file text of everything an SFDX tree declares."""
    return render(analyse(root))


def render(result: TreeReport) -> str:
    tree = result.tree
    out = [
        f"# Imported from the Salesforce metadata in {result.root}",
        "# by `syncrules import-salesforce`.",
    ]
    if tree is None:
        out += [
            f"# {d.span.path}:{d.span.line}:{d.span.col}: {d.message}" for d in result.tree_problems
        ]
        return "\n".join(out) + "\n"
    if tree.skipped:
        out.append(f"# Skipped (syncrules does not model them): {', '.join(tree.skipped)}")
    for decl in _merged(tree.objects):
        out += [
            "",
            *_object_block(decl, f"{OBJECT_API_NAMES[decl.object.name]} fields in the tree"),
        ]
    at = tree.objects[0].span if tree.objects else None
    if at is not None:
        for decl in standard_declarations(tree, list(tree.objects), at):
            title = f"standard {OBJECT_API_NAMES[decl.object.name]} fields the tree does not list"
            out += ["", *_object_block(decl, title + " (syncrules' table)")]
    for rule in result.rules:
        out += ["", *_rule_block(rule)]
    return "\n".join(out) + "\n"


def _merged(decls: tuple[ast.ObjectDecl, ...]) -> list[ast.ObjectDecl]:
    """One block per object, in the tree's order."""
    by_object: dict[str, list[ast.FieldDecl]] = {}
    for decl in decls:
        by_object.setdefault(decl.object.name, []).extend(decl.fields)
    return [
        ast.ObjectDecl(ast.Ident(obj, decls[0].span), tuple(fields), decls[0].span)
        for obj, fields in by_object.items()
    ]


def _object_block(decl: ast.ObjectDecl, title: str) -> list[str]:
    lines = [f"# {title}", f"object {decl.object.name} {{"]
    for fdecl in decl.fields:
        ftype = fdecl.type.type
        flags = "".join(
            (" required" if fdecl.required else "", " readonly" if fdecl.readonly else "")
        )
        if ftype is not None and ftype.kind.value.endswith("picklist") and not ftype.values:
            lines.append(
                f"{INDENT}# {fdecl.name.name}: {ftype.kind} whose values are not in the tree"
            )
            continue
        lines.append(f"{INDENT}{fdecl.name.name}: {fdecl.type.text}{flags}")
    lines.append("}")
    return lines


def _rule_block(report: RuleReport) -> list[str]:
    rule = report.rule
    node = rule.node
    if report.status is Status.SET_ASIDE or node is None:
        where = f"{rule.path}:{report.reason_text}"
        lines = [f"# validation {rule.name} on {rule.object} is set aside: {where}"]
        lines += [f"#     {line}" for line in rule.formula.strip().splitlines()]
        return lines
    lines = [f"validation {node.name.name} on {node.object.name} {{"]
    formula = normalise(rule.formula.strip(), keep_length=False)
    first, *rest = formula.splitlines() or [""]
    lines.append(f"{INDENT}error_if: {first.strip()}")
    if rest:
        lines += [
            f"{INDENT * 2}{line}".rstrip() for line in textwrap.dedent("\n".join(rest)).splitlines()
        ]
    lines.append(f"{INDENT}message: {quote(node.message)}")
    if node.field is not None:
        lines.append(f"{INDENT}field: {node.field.name}")
    if not node.active:
        lines.append(f"{INDENT}active: false")
    lines.append("}")
    return lines


def quote(text: str) -> str:
    """A rule-file string literal for any text."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'
