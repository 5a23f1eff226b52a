"""What makes the SQL engines decline, counted over real validation rules.

    python3 benchmarks/bulk_coverage.py [--corpus ../shared/realworld] [--rules samples/acme/rules]

Imports every repository of the real-world corpus (its Lead and Contact validation rules,
active ones: the engines compile those) and type-checks them as `import salesforce`
does, compiles each rule that checks clean with the SQL compiler (`engine/bulk/sql.py`),
and counts, per reason, the rules the engines would decline — the first reason of each
rule, since that is the one that stops it. Then the same for a rule-set directory
(`--rules`, the Acme sample by default). docs/engines.md quotes the counts.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from engine.bulk.duck import program_for  # noqa: E402
from engine.check.model import CheckedRules  # noqa: E402
from engine.check.resolve import check_rules  # noqa: E402
from engine.loader import load, load_text  # noqa: E402

ENTITIES = {'"': "&quot;", "'": "&apos;"}
OBJECTS = {"Lead", "Contact"}


def build_trees(corpus: Path, out: Path) -> list[Path]:
    """One SFDX tree per repository: its active Lead and Contact rules and their fields."""
    rules = json.loads((corpus / "validation_rules.json").read_text(encoding="utf-8"))
    taken: Counter[tuple[str, str, str]] = Counter()
    for rule in rules:
        if rule["object"] not in OBJECTS or not rule["active"]:
            continue
        repo = rule["source"]["repo"].replace("/", "__")
        key = (repo, rule["object"], rule["name"].casefold())
        taken[key] += 1
        name = rule["name"] if taken[key] == 1 else f"{rule['name']}_{taken[key]}"
        folder = out / repo / "objects" / rule["object"] / "validationRules"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.validationRule-meta.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">\n'
            f"    <fullName>{name}</fullName>\n    <active>true</active>\n"
            f"    <errorConditionFormula>{escape(rule['formula'], ENTITIES)}"
            "</errorConditionFormula>\n"
            f"    <errorMessage>{escape(rule['message'] or '', ENTITIES)}</errorMessage>\n"
            "</ValidationRule>\n",
            encoding="utf-8",
        )
    for repo in (corpus / "fields").iterdir():
        if not (out / repo.name).is_dir():
            continue
        for obj in repo.iterdir():
            if obj.name not in OBJECTS:
                continue
            target = out / repo.name / "objects" / obj.name / "fields"
            target.mkdir(parents=True, exist_ok=True)
            for path in obj.iterdir():
                shutil.copyfile(path, target / path.name)
    return sorted(p for p in out.iterdir() if p.is_dir())


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^(\$?[A-Z][A-Za-z]*)\(\): "), lambda m: f"{m.group(1)}()"),
    (re.compile(r"^(\$?\w+)[\w.:]*: a related record's value"), lambda m: f"{m.group(1)}.…"),
    (re.compile(r"^REGEX pattern .* does not compile"), lambda m: "REGEX: invalid pattern"),
    (re.compile(r"^REGEX pattern "), lambda m: "REGEX: pattern outside the SQL subset"),
    (re.compile(r"^field \w+\.\w+ of type (\w+)"), lambda m: f"a {m.group(1)} field"),
    (re.compile(r"^a field of type (\w+)"), lambda m: f"a {m.group(1)} field"),
    (re.compile(r"^the text "), lambda m: "a text literal with Unicode spaces or digits"),
    (re.compile(r"^\w+\.\w+ in a \w+ rule"), lambda m: "a field of another object"),
]


def kind(construct: str) -> str:
    """A reason's construct without its particulars (names, patterns, values)."""
    for pattern, name in _PATTERNS:
        found = pattern.search(construct)
        if found:
            return name(found)
    return construct


def reasons(rules: CheckedRules) -> Counter[str]:
    """Per reason kind, how many validation rules (or fields) it stops."""
    counted: Counter[str] = Counter()
    seen: set[str] = set()
    for reason in program_for(rules).reasons:
        if reason.rule in seen:
            continue  # one rule, one count: its first reason
        seen.add(reason.rule)
        counted[kind(reason.construct)] += 1
    return counted


def corpus_counts(corpus: Path) -> tuple[int, Counter[str]]:
    counted: Counter[str] = Counter()
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for tree in build_trees(corpus, Path(tmp)):
            quoted = str(tree).replace("\\", "\\\\").replace('"', '\\"')
            checked = check_rules(load_text(f'import salesforce "{quoted}"\n', "<corpus>"))
            total += sum(1 for v in checked.validations if v.object in ("lead", "contact"))
            counted.update(reasons(checked))
    return total, counted


def table(title: str, total: int, counted: Counter[str]) -> str:
    declined = sum(n for k, n in counted.items())
    lines = [f"{title}: {total} rules, {declined} declined (first reason of each)", ""]
    lines += ["| reason | rules |", "| --- | ---: |"]
    lines += [f"| {k} | {n} |" for k, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    found = (p / "shared" / "realworld" for p in ROOT.parents)
    default = next((p for p in found if (p / "validation_rules.json").is_file()), None)
    parser.add_argument("--corpus", default=str(default or "shared/realworld"))
    parser.add_argument("--rules", default=str(ROOT / "samples" / "acme" / "rules"))
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if (corpus / "validation_rules.json").is_file():
        total, counted = corpus_counts(corpus)
        print(table(f"real-world corpus ({corpus})", total, counted))
        print()
    checked = check_rules(load([args.rules]))
    total = sum(1 for v in checked.validations if v.active and v.object in ("lead", "contact"))
    print(table(f"rule set {args.rules}", total, reasons(checked)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
