"""The plan's entries written by SQL: each prospect's JSON text straight from the plan rows.

At a million prospects, building an `Outcome` per prospect and rendering it in Python is
most of a dry-run (issue 10). Here the entry `render/plan_json.outcome` gives a prospect —
pretty at the JSON plan's indent, or compact as a JSON Lines record, or as the Parquet
format's columns — is one SQL expression over a row of `__plan_rows` (the rounds' output,
`sql.py`), evaluated by DuckDB with the rest of the query.

Exactness first: the SQL writes only what it can write byte for byte as the json module
does (strings with the C encoder's escapes, numbers as `json_value` turns a Decimal into an
int or a float's shortest repr, dates and date-times as `values.json_value`). Anything
else — a value dropped because it does not fit, a read-only error, a duplicate naming a
lead created in this cycle, a number whose float repr is not its digits, a control
character — puts `FAIL` (a NUL, which the json module never writes raw) in the text, and
the engine builds that one prospect's `Outcome` in Python as before (`duck.PlanRows`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from engine.bulk.sql import NEW_LEAD_PREFIX, Cls, Program, cls_of, lit, q
from engine.check.model import CheckedRules
from engine.plan import ErrorCode
from engine.runtime.cycle import _rule_fields

FAIL = "chr(0)"  # in an entry's text: this prospect's entry is written by Python
MASKED = 6  # validation rules of an object up to which each combination's text is a constant

# what str.strip() strips: every code point str.isspace() holds, as an RE2 class
# (tests/bulk/test_plan_text.py checks it against Python's own)
PY_SPACE = (
    r"\t-\r\x1c- \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
)

# DuckDB macros the entries are written with (`MACROS`, created on the connection):
# __js(x): a JSON string as json's C encoder writes it (ensure_ascii=False); FAIL for a
#   control character it would write as a \u escape (\u001f), \b or \f
# __jtext(x): a text written into a field (values.write_value): blank (str.strip() leaves
#   nothing: every character is one `str.isspace` holds, PY_SPACE) is null
MACROS = (
    r"""CREATE OR REPLACE MACRO __js(x) AS CASE
  WHEN NOT regexp_matches(x, '[\x00-\x1f"\\]') THEN '"' || x || '"'
  WHEN regexp_matches(x, '[\x00-\x08\x0b\x0c\x0e-\x1f]') THEN chr(0)
  ELSE '"' || replace(replace(replace(replace(replace(x, '\', '\\'), '"', '\"'),
    chr(10), '\n'), chr(13), '\r'), chr(9), '\t') || '"' END""",
    rf"""CREATE OR REPLACE MACRO __jtext(x) AS CASE
  WHEN x IS NULL OR regexp_full_match(x, '[{PY_SPACE}]*') THEN 'null'
  ELSE __js(x) END""",
)
INTEGER = "-?[1-9][0-9]{0,17}|0"  # an int as Python writes it (18 digits: exact in SQL)
FRACTION = r"-?(0\.0{0,3}[1-9]([0-9]*[1-9])?|[1-9][0-9]*\.[0-9]*[1-9])"


def value_sql(x: str, c: Cls | None) -> str:
    """`write_value(_value(x, c))` as JSON text: what a field is written (duck._value)."""
    if c is Cls.NUMBER:
        # json_value: an int when integral, else the float, whose shortest repr is the
        # digits themselves up to 15 significant digits and from 0.0001 on; the text
        # without its trailing fraction zeros is then the JSON (anything else: Python)
        y = f"(CASE WHEN contains({x}, '.') THEN rtrim(rtrim({x}, '0'), '.') ELSE {x} END)"
        return (
            f"(CASE WHEN {x} IS NULL THEN 'null' "
            f"WHEN regexp_full_match({y}, '{INTEGER}') THEN {y} "
            f"WHEN length(ltrim({y}, '-')) <= 16 AND regexp_full_match({y}, '{FRACTION}') "
            f"THEN {y} ELSE {FAIL} END)"
        )
    if c is Cls.BOOL:
        return f"(CASE WHEN {x} IS NULL THEN 'null' WHEN {x} = 'true' THEN 'true' ELSE 'false' END)"
    if c is Cls.DATE:
        return (
            f"(CASE WHEN {x} IS NULL THEN 'null' "
            f"WHEN regexp_full_match({x}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
            f"THEN '\"' || {x} || '\"' ELSE {FAIL} END)"
        )
    if c is Cls.DATETIME:
        # datetime.fromisoformat(x).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") of the
        # UTC text the tables hold (direct.iso_utc); other spellings go to Python
        pattern = r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?\+00:00"
        return (
            f"(CASE WHEN {x} IS NULL THEN 'null' WHEN regexp_full_match({x}, '{pattern}') "
            f"THEN '\"' || left({x}, 19) || 'Z\"' ELSE {FAIL} END)"
        )
    return f"__jtext({x})"  # text, grade, and what SQL holds as raw text


Field = tuple[str, str, str | None]  # an object member: key, value SQL, condition SQL
_LITERAL = re.compile(r"'(?:[^']|'')*'")  # a string literal as `lit` writes it


def cat(parts: list[str]) -> str:
    """SQL: the texts `parts` joined by one `concat`. A chain of `||` copies the text so
    far at each step: for an entry's ~40 pieces that was most of the entries' CPU. A
    part that is NULL gives FAIL in its place (`concat` would skip it) where `||` gave
    NULL: either sends the entry to Python."""
    merged: list[str] = []  # adjacent literals as one
    for part in parts:
        text, last = unlit(part), unlit(merged[-1]) if merged else None
        if text is not None and last is not None:
            merged[-1] = lit(last + text)
        else:
            merged.append(part)
    if len(merged) == 1:
        return merged[0]
    held = [p if _LITERAL.fullmatch(p) else f"COALESCE({p}, {FAIL})" for p in merged]
    return f"concat({', '.join(held)})"


def unlit(sql: str) -> str | None:
    """The text of a string literal as `lit` writes it; None for any other SQL."""
    return sql[1:-1].replace("''", "'") if _LITERAL.fullmatch(sql) else None


@dataclass(frozen=True, slots=True)
class Style:
    """How entries are laid out: `indent` as `json.dumps(indent=2)` nested at the JSON
    plan's records (`render/plan_json.pretty`), or compact (`separators=(",", ":")`, the
    JSON Lines format)."""

    indent: bool

    def colon(self) -> str:
        return ": " if self.indent else ":"

    def sep(self, pad: str) -> str:
        return ",\n" + pad + "  " if self.indent else ","

    def static(self, value: object, pad: str) -> str:
        """A constant JSON value as SQL text, laid out at `pad`."""
        if self.indent:
            text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)
        else:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return lit(text)

    def key(self, name: str) -> str:
        return json.dumps(name, ensure_ascii=False) + self.colon()

    def parts(self, fields: list[Field], pad: str) -> list[str]:
        """The members of an object (no braces), the first unconditional: (key, value
        SQL, condition SQL or None), as the texts `cat` joins."""
        first, value, cond = fields[0]
        assert cond is None
        parts = [lit(self.key(first)), value]
        for name, value, cond in fields[1:]:
            key = lit(self.sep(pad) + self.key(name))
            if cond is None:
                parts += [key, value]
            else:
                parts.append(f"(CASE WHEN {cond} THEN {cat([key, value])} ELSE '' END)")
        return parts

    def members(self, fields: list[Field], pad: str) -> str:
        return cat(self.parts(fields, pad))

    def obj(self, fields: list[Field], pad: str) -> str:
        if self.indent:
            opening, closing = lit("{\n" + pad + "  "), lit("\n" + pad + "}")
            return cat([opening, *self.parts(fields, pad), closing])
        return cat(["'{'", *self.parts(fields, pad), "'}'"])

    def items(self, texts: str, pad: str, braces: str = "[]") -> str:
        """A JSON array (or object, braces "{}") of a SQL list of element texts."""
        if self.indent:
            inner = pad + "  "
            return (
                f"(CASE WHEN len({texts}) = 0 THEN {lit(braces)} ELSE "
                f"{lit(braces[0] + chr(10) + inner)} || array_to_string({texts}, "
                f"{lit(',' + chr(10) + inner)}) || {lit(chr(10) + pad + braces[1])} END)"
            )
        return f"({lit(braces[0])} || array_to_string({texts}, ',') || {lit(braces[1])})"

    def static_items(self, texts: list[str], pad: str) -> str:
        """`items` of element texts known here: the array as a literal."""
        if not texts:
            return lit("[]")
        if self.indent:
            inner = pad + "  "
            return lit("[\n" + inner + (",\n" + inner).join(texts) + "\n" + pad + "]")
        return lit("[" + ",".join(texts) + "]")


def _unique(names: list[str]) -> bool:
    return len(set(names)) == len(names)


# a member of a packed side's writes (EntrySql.columns) is the key's JSON, KEY_END, the
# value's JSON; members are parted by ITEM_END. Neither is ever in a written value: __js
# writes no raw control character (FAIL instead), and keys are field names.
KEY_END, ITEM_END = "chr(2)", "chr(1)"


def _member(name: str) -> str:
    """SQL: a member's key as packed, its JSON string and KEY_END."""
    return f"{lit(json.dumps(name, ensure_ascii=False))} || {KEY_END}"


def _packed(items: list[str]) -> str:
    """Members (text or NULL) packed into one text, '' when none."""
    if not items:
        return "''"
    return f"concat_ws({ITEM_END}, {', '.join(items)})"


def _text(column: str) -> str:
    return f"CAST({q(column)} AS VARCHAR)"


@dataclass(slots=True)
class EntrySql:
    """The SQL of a plan row's entry, over `__plan_rows` joined as `PlanRows` reads it:
    columns `__act` (the plan's action), `__target` (the target's final Id),
    `__created_owner` / `__followed_owner` (the owner object's text, or NULL when the
    plan shows none; one column per style)."""

    rules: CheckedRules
    program: Program

    # -- pieces -----------------------------------------------------------------------

    def stages(self) -> str:
        """The stages held, in the rule set's order (as duck._outcome lists them)."""
        names = [s.name for s in self.rules.stages if s.name in self.program.stages]
        if not names:
            return "CAST([] AS VARCHAR[])"
        items = ", ".join(
            f"CASE WHEN list_contains(__stages, {lit(n)}) THEN {lit(n)} END" for n in names
        )
        return f"list_filter([{items}], lambda x: x IS NOT NULL)"

    def stage_texts(self) -> str:
        """The stages held, each as a JSON string."""
        return f"list_transform({self.stages()}, lambda x: __js(x))"

    def stage_items(self, style: Style, pad: str) -> str:
        """The `stages` array laid out at `pad`. Up to MASKED stages, each combination's
        text is a constant chosen by the held stages' bits: no list and no lambda a row
        (the list was built twice a row, for its length and its text)."""
        names = [s.name for s in self.rules.stages if s.name in self.program.stages]
        if len(names) > MASKED:
            return style.items(self.stage_texts(), pad)
        if not names:
            return style.static_items([], pad)
        bits = [
            f"(CASE WHEN list_contains(__stages, {lit(n)}) THEN {1 << b} ELSE 0 END)"
            for b, n in enumerate(names)
        ]
        texts = [json.dumps(n, ensure_ascii=False) for n in names]
        chosen = [
            f"WHEN {m} THEN "
            + style.static_items([t for b, t in enumerate(texts) if m >> b & 1], pad)
            for m in range(1, 1 << len(names))
        ]
        return f"(CASE {' + '.join(bits)} {' '.join(chosen)} ELSE '[]' END)"

    def creates(self) -> list[tuple[int, str, Cls | None]]:
        """The create path's mappings: (index, the lead field, its class)."""
        out = []
        for n, m in self.program.lead_maps:
            if m.lead is not None and cls_of(m.prospect.type) and cls_of(m.lead.type):
                out.append((n, m.lead.name, cls_of(m.lead.type)))
        return out

    def updates(self, obj: str) -> list[tuple[str, str, Cls | None, str, Cls | None]]:
        """The update path's mappings of obj: (column prefix, the record's field and
        class, the prospect's field and class)."""
        maps = self.program.lead_maps if obj == "lead" else self.program.contact_maps
        out = []
        for n, m in maps:
            target = m.target(obj)
            if target is None or not cls_of(m.prospect.type) or not cls_of(target.type):
                continue
            pc = cls_of(m.prospect.type)
            out.append((f"{obj[0]}{n}", target.name, cls_of(target.type), m.prospect.name, pc))
        return out

    def columns(self) -> list[str]:
        """What the rounds keep in `__plan_rows` for the entries, computed in the round's
        query: whether an update writes and whether a value is dropped, and each side's
        writes as one text (`__sf_items`, `__pd_items`: the members' key and JSON value
        parted by KEY_END, the members by ITEM_END; `to_salesforce` lays them out per
        style). One text per side, not four columns per mapping and side: at 200,000
        prospects storing some 200 such columns cost more CPU than the round's query."""
        return [
            f"{self._writes_any()} AS __writes_any",
            f"{self._drops()} AS __drops",
            f"{self._items('sf')} AS __sf_items",
            f"{self._items('pd')} AS __pd_items",
        ]

    def _live(self, obj: str, n: int) -> bool:
        """Whether mapping n of obj may write, drop or create anything: not one the round
        was compiled to leave out, blank on both sides (sql.Program.dead), whose members
        and tests would be NULL or false on every row."""
        return (obj, n) not in self.program.dead

    def _items(self, direction: str) -> str:
        """A side's writes as packed members (`columns`), the path's: a created lead's
        fields and OwnerId, or the matched record's update; FAIL where two mappings write
        one key (the dict's order is Python's)."""
        if direction == "sf":
            items = [
                f"CASE WHEN \"c{n}.state\" = 'w' THEN "
                f"{_member(name)} || {value_sql(_text(f'c{n}.v'), c)} END"
                for n, name, c in self.creates()
                if self._live("lead", n)
            ]
            declared = self.rules.object("lead").get("OwnerId")
            key = _member(declared.name if declared else "OwnerId")
            items.append(f"CASE WHEN __owner <> '' THEN {key} || __jtext(__owner) END")
            create = _packed(items)
        else:
            create = "''"
        return (
            f"(CASE WHEN __path = 'create' THEN {create} "
            f"WHEN __mobj = 'lead' THEN {self._update_items('lead', direction)} "
            f"ELSE {self._update_items('contact', direction)} END)"
        )

    def _update_items(self, obj: str, direction: str) -> str:
        items, keys = [], []
        for pre, sname, sc, pname, pc in self.updates(obj):
            key, column, c = (sname, "sfv", sc) if direction == "sf" else (pname, "pdv", pc)
            keys.append(key)
            if not self._live(obj, int(pre[1:])):
                continue
            items.append(
                f'CASE WHEN "{pre}.dir" = \'{direction}\' AND "{pre}.code" IS NULL THEN '
                f"{_member(key)} || {value_sql(_text(f'{pre}.{column}'), c)} END"
            )
        if not _unique(keys):  # two mappings write one key: the dict's order is Python's
            return FAIL
        return _packed(items)

    def writes(self, packed: str, style: Style, pad: str) -> str:
        """The JSON object of a side's packed members (`columns`), laid out at `pad`."""
        if not style.indent:
            inner = f"replace(replace({packed}, {ITEM_END}, ','), {KEY_END}, ':')"
            return f"('{{' || {inner} || '}}')"
        at = pad + "  "
        parted = lit("," + chr(10) + at)
        inner = f"replace(replace({packed}, {ITEM_END}, {parted}), {KEY_END}, ': ')"
        return (
            f"(CASE WHEN {packed} = '' THEN '{{}}' ELSE {lit('{' + chr(10) + at)} || {inner} "
            f"|| {lit(chr(10) + pad + '}')} END)"
        )

    def _drops(self) -> str:
        """Whether the row drops a value (the Dropped entry names the prospect's value,
        which Python reads)."""
        create = [
            f"\"c{n}.state\" NOT IN ('w', 'skip')"
            for n, _, _ in self.creates()
            if self._live("lead", n)
        ]
        update = [
            f'("{pre}.dir" IS NOT NULL AND "{pre}.code" IS NOT NULL)'
            for obj in ("lead", "contact")
            for pre, *_ in self.updates(obj)
            if self._live(obj, int(pre[1:]))
        ]
        return (
            f"(CASE WHEN __path = 'create' THEN ({' OR '.join(create) or 'FALSE'}) "
            f"ELSE ({' OR '.join(update) or 'FALSE'}) END)"
        )

    def _writes_any(self) -> str:
        """Whether the update path writes anything, on either side."""
        writes = [
            f'("{pre}.dir" IS NOT NULL AND "{pre}.code" IS NULL)'
            for obj in ("lead", "contact")
            for pre, *_ in self.updates(obj)
            if self._live(obj, int(pre[1:]))
        ]
        return f"({' OR '.join(writes) or 'FALSE'})"

    def action(self) -> str:
        """The plan's action of a row (duck._outcome): skip, create_lead, error, and on
        the update path update or no_change as anything is written."""
        return (
            "CASE WHEN __path IN ('paused', 'crm_deleted', 'not_shared', 'gated') THEN 'skip' "
            "WHEN __action = 'create_lead' THEN 'create_lead' "
            "WHEN starts_with(__action, 'error:') THEN 'error' "
            "WHEN __writes_any THEN 'update' ELSE 'no_change' END"
        )

    def failures(self, style: Style, pad: str) -> tuple[str, str]:
        """(the first failure's members at the entry's `pad`, the `errors` array) of an
        error row (duck._failures); `__fobj` is the object whose checks failed."""
        value = pad + "  "  # the entry's member values
        el = value + "  "  # an object of `errors`
        elv = el + "  "  # its member values

        def failure(code: str, rule: str, message: str, fields: str, at: str) -> list[Field]:
            return [
                ("error_code", style.static(code, at), None),
                ("rule", rule, None),
                ("message", message, None),
                ("fields", fields, None),
            ]

        firsts: list[str] = []
        lists: list[str] = []
        # REQUIRED_FIELD_MISSING: the lead's blank required fields, in their order
        missing = "list_transform(__missing, lambda x: __js(x))"
        message = (
            "__js('Required fields are missing: [' || array_to_string(__missing, ', ') || ']')"
        )
        code = ErrorCode.REQUIRED.value
        top = style.members(failure(code, "'null'", message, style.items(missing, value), pad), pad)
        one = style.obj(failure(code, "'null'", message, style.items(missing, elv), el), el)
        firsts.append(f"WHEN __action = 'error:req' THEN {top}")
        lists.append(f"WHEN __action = 'error:req' THEN {style.items(f'[{one}]', value)}")
        # FIELD_CUSTOM_VALIDATION_EXCEPTION: every fired rule of the object, in order
        code = ErrorCode.VALIDATION.value
        for obj, listed in (
            ("lead", self.program.lead_rules),
            ("contact", self.program.contact_rules),
        ):
            if not listed:
                continue
            tops, objs = [], []
            for j, _ in listed:
                rule = self.rules.validations[j]
                name, text = style.static(rule.name, pad), style.static(rule.message, pad)
                fields = list(_rule_fields(rule))
                at_top = failure(code, name, text, style.static(fields, value), pad)
                in_list = failure(code, name, text, style.static(fields, elv), el)
                tops.append(style.members(at_top, pad))
                objs.append(style.obj(in_list, el))
            test = f"__action = 'error:val' AND __fobj = '{obj}'"
            first_of, fired_of = self._fired(style, value, listed, tops, objs)
            firsts.append(f"WHEN {test} THEN {first_of}")
            lists.append(f"WHEN {test} THEN {fired_of}")
        # DUPLICATES_DETECTED: every duplicate rule with twins; a twin created in this
        # cycle is named by its final Id, which Python maps
        code = ErrorCode.DUPLICATE.value
        tops, objs = [], []
        for n in self.program.dup_rules:
            dup = self.rules.duplicates[n]
            names = ", ".join(f.name for f in dup.fields)
            twins = f'"twins{n}"'
            message = (
                f"__js('Use one of these records? ' || array_to_string({twins}, ', ') || "
                f"{lit(f' (same {names})')})"
            )
            # a twin `lead 00QSR…`, found in the twins joined by chr(1) (no lambda per row:
            # a twin is its object and its Id, printable ASCII, never chr(1))
            created = (
                f"contains(chr(1) || array_to_string({twins}, chr(1)), "
                f"chr(1) || {lit('lead ' + NEW_LEAD_PREFIX)})"
            )
            has = f"len(COALESCE({twins}, [])) > 0"
            by, fields = f"lead by {names}", [f.name for f in dup.fields]
            at_top = failure(code, style.static(by, pad), message, style.static(fields, value), pad)
            in_list = failure(code, style.static(by, elv), message, style.static(fields, elv), el)
            tops.append(
                f"WHEN {has} THEN (CASE WHEN {created} THEN {FAIL} "
                f"ELSE {style.members(at_top, pad)} END)"
            )
            objs.append(
                f"CASE WHEN {has} THEN (CASE WHEN {created} THEN {FAIL} "
                f"ELSE {style.obj(in_list, el)} END) END"
            )
        if tops:
            firsts.append(
                f"WHEN __action = 'error:dup' THEN (CASE {' '.join(tops)} ELSE {FAIL} END)"
            )
            listed_dups = f"list_filter([{', '.join(objs)}], lambda x: x IS NOT NULL)"
            lists.append(f"WHEN __action = 'error:dup' THEN {style.items(listed_dups, value)}")
        # INSUFFICIENT_ACCESS (read-only fields, error:ro): Python names the blocked fields
        return (
            f"(CASE {' '.join(firsts)} ELSE {FAIL} END)",
            f"(CASE {' '.join(lists)} ELSE {FAIL} END)",
        )

    @staticmethod
    def _fired(
        style: Style, pad: str, listed: list[tuple[int, str]], tops: list[str], objs: list[str]
    ) -> tuple[str, str]:
        """(the first failure's members, the `errors` array at `pad`) of the fired rules
        of `listed` (`tops`, `objs`: each rule's members and its object in the array,
        all literals). Up to MASKED rules, each combination's texts are constants chosen
        by the fired rules' bits: no list built per row (with 70,000 validation errors in
        200,000 prospects the lists were a third of the entries' CPU)."""
        texts = [unlit(o) for o in objs]
        if len(listed) <= MASKED and None not in texts:
            bits = [
                f"(CASE WHEN list_contains(__fired, {j}) THEN {1 << b} ELSE 0 END)"
                for b, (j, _) in enumerate(listed)
            ]
            mask = " + ".join(bits)
            first, fired = [], []
            for m in range(1, 1 << len(listed)):
                chosen = [b for b in range(len(listed)) if m >> b & 1]
                first.append(f"WHEN {m} THEN {tops[chosen[0]]}")
                fired.append(
                    f"WHEN {m} THEN {style.static_items([texts[b] or '' for b in chosen], pad)}"
                )
            return (
                f"(CASE {mask} {' '.join(first)} ELSE {FAIL} END)",
                f"(CASE {mask} {' '.join(fired)} ELSE '[]' END)",
            )
        tested = [
            f"WHEN list_contains(__fired, {j}) THEN {top}"
            for (j, _), top in zip(listed, tops, strict=True)
        ]
        each = [
            f"CASE WHEN list_contains(__fired, {j}) THEN {o} END"
            for (j, _), o in zip(listed, objs, strict=True)
        ]
        kept = f"list_filter([{', '.join(each)}], lambda x: x IS NOT NULL)"
        return f"(CASE {' '.join(tested)} ELSE {FAIL} END)", style.items(kept, pad)

    # -- the entry ------------------------------------------------------------------

    def to_salesforce(self, style: Style, pad: str) -> str:
        return self.writes("__sf_items", style, pad)

    def to_pardot(self, style: Style, pad: str) -> str:
        return self.writes("__pd_items", style, pad)

    def first_failure(self) -> tuple[str, str, str]:
        """The first failure's code, rule and message as text (the Parquet format's
        error columns), for the rows whose errors SQL writes."""
        code = ["WHEN __action = 'error:req' THEN " + lit(ErrorCode.REQUIRED.value)]
        rule = ["WHEN __action = 'error:req' THEN NULL"]
        message = [
            "WHEN __action = 'error:req' THEN "
            "'Required fields are missing: [' || array_to_string(__missing, ', ') || ']'"
        ]
        for obj, listed in (
            ("lead", self.program.lead_rules),
            ("contact", self.program.contact_rules),
        ):
            for j, _ in listed:
                test = (
                    f"WHEN __action = 'error:val' AND __fobj = '{obj}' "
                    f"AND list_contains(__fired, {j})"
                )
                found = self.rules.validations[j]
                code.append(f"{test} THEN {lit(ErrorCode.VALIDATION.value)}")
                rule.append(f"{test} THEN {lit(found.name)}")
                message.append(f"{test} THEN {lit(found.message)}")
        for n in self.program.dup_rules:
            names = ", ".join(f.name for f in self.rules.duplicates[n].fields)
            test = f"WHEN __action = 'error:dup' AND len(COALESCE(\"twins{n}\", [])) > 0"
            code.append(f"{test} THEN {lit(ErrorCode.DUPLICATE.value)}")
            rule.append(f"{test} THEN {lit('lead by ' + names)}")
            message.append(
                f"{test} THEN 'Use one of these records? ' || "
                f"array_to_string(\"twins{n}\", ', ') || {lit(f' (same {names})')}"
            )
        return tuple(f"(CASE {' '.join(x)} END)" for x in (code, rule, message))  # type: ignore[return-value]

    def parquet(self) -> list[str]:
        """The Parquet format's columns (render/plan_parquet.py), in its schema's order."""
        style = Style(indent=False)
        target = "__act <> 'skip' AND __mobj IS NOT NULL"
        writes = "__act IN ('update', 'no_change', 'create_lead')"
        code, rule, message = self.first_failure()
        error = "__act = 'error'"
        return [
            "__id",
            "__act",
            "CASE WHEN __act = 'skip' THEN __path END",
            f"CASE WHEN {target} THEN __mobj END",
            f"CASE WHEN {target} THEN __target END",
            f"CASE WHEN {target} THEN __mby END",
            f"CASE WHEN {error} THEN {code} END",
            f"CASE WHEN {error} THEN {rule} END",
            f"CASE WHEN {error} THEN {message} END",
            self.stages(),
            f"CASE WHEN {writes} THEN {self.to_salesforce(style, '')} END",
            f"CASE WHEN {writes} THEN {self.to_pardot(style, '')} END",
            "CASE WHEN __act <> 'skip' THEN '[]' END",
            f"CASE WHEN {error} THEN {self.failures(style, '')[1]} END",
            "CAST(NULL AS VARCHAR)",
        ]

    def entry(
        self, style: Style, pad: str, section: str | None = None, around: tuple[str, str] = ("", "")
    ) -> str:
        """The entry's text (`plan_json.outcome`), laid out at `pad`; `section` leads a
        JSON Lines record; `around`: the texts before and after it (its separator, its
        line end), in the same `cat`."""
        inner = pad + "  "
        # the action, reason, object and matched_by are SQL's own words: nothing to escape
        target = style.obj(
            [("object", _word("__mobj"), None), ("id", "__js(__target)", None)], inner
        )
        first, errors = self.failures(style, pad)
        shows_writes = "__act IN ('update', 'no_change', 'create_lead')"
        create = "__path = 'create'"
        to_sf, to_pd = self.to_salesforce(style, inner), self.to_pardot(style, inner)
        tag = "pretty" if style.indent else "compact"
        owner = (
            f"(CASE WHEN {create} THEN __created_owner_{tag} "
            f"WHEN __act IN ('update', 'no_change') THEN __followed_owner_{tag} END)"
        )
        fields: list[Field] = []
        if section is not None:
            fields.append(("section", style.static(section, pad), None))
        fields += [
            ("prospect", "__js(__id)", None),
            ("action", _word("__act"), None),
            ("reason", _word("__path"), "__act = 'skip'"),
            ("target", target, "__act <> 'skip' AND __mobj IS NOT NULL"),
            ("matched_by", _word("__mby"), "__act <> 'skip' AND __mobj IS NOT NULL"),
        ]
        errors_key = lit(style.sep(pad) + style.key("errors"))
        error_members = (
            f"(CASE WHEN __act = 'error' THEN "
            f"{cat([lit(style.sep(pad)), first, errors_key, errors])} ELSE '' END)"
        )
        head = style.parts(fields, pad)
        tail = style.parts(
            [
                ("stages", self.stage_items(style, inner), None),
                ("to_salesforce", to_sf, shows_writes),
                ("to_pardot", to_pd, shows_writes),
                (
                    "dropped",
                    f"(CASE WHEN __drops THEN {FAIL} ELSE '[]' END)",
                    "__act <> 'skip'",
                ),
                ("owner", owner, f"__act <> 'skip' AND {owner} IS NOT NULL"),
            ],
            pad,
        )
        body = [*head, error_members, lit(style.sep(pad)), *tail]
        before, after = around
        if style.indent:
            opening, closing = before + "{" + chr(10) + pad + "  ", chr(10) + pad + "}" + after
        else:
            opening, closing = before + "{", "}" + after
        return cat([lit(opening), *body, lit(closing)])


def _word(column: str) -> str:
    """A column holding one of SQL's own words (an action, a path, an object, a match) as
    a JSON string: `__js` without its tests, as none needs escaping."""
    return f"('\"' || {column} || '\"')"
