"""`dry-run --format table`: a summary a RevOps person reads first, then one line per
prospect. On a terminal, lines are fitted to its width (the caller passes it) and coloured;
written to a file or a pipe, nothing is cut. Ids are never cut: only the DETAIL column
(and the tail of a summary line) gives way, and it keeps at least MIN_DETAIL characters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from engine.plan import (
    Action,
    CampaignLink,
    NewProspect,
    Outcome,
    Plan,
    Summary,
    UserAccess,
)

MIN_DETAIL = 24  # a narrower terminal wraps the line rather than lose the detail
COLOURS = {
    Action.CREATE_LEAD: "\033[32m",
    Action.UPDATE: "\033[36m",
    Action.NO_CHANGE: "\033[2m",
    Action.SKIP: "\033[33m",
    Action.ERROR: "\033[31m",
}
RESET = "\033[0m"


def _fit(text: str, width: int | None) -> str:
    """The text cut to width with "…" (None: never cut)."""
    if width is None or len(text) <= width:
        return text
    return text[: max(width, 2) - 1] + "…"


def _target(o: Outcome) -> str:
    if o.action is Action.CREATE_LEAD:
        return "new lead"
    if o.target is None or o.action is Action.SKIP:
        return "-"
    return f"{o.target.object} {o.target.id}"


def _detail(o: Outcome) -> str:
    if o.action is Action.SKIP:
        return o.reason.value if o.reason else ""
    if o.error is not None:
        # the rule first: it is what says which validation rule failed, and a cut line
        # keeps its start
        what = o.error.rule or ", ".join(o.error.fields)
        return f"{what} ({o.error.code.value})" if what else o.error.code.value
    parts = []
    if o.to_salesforce:
        parts.append("SF: " + ", ".join(k for k, _ in o.to_salesforce))
    if o.to_pardot:
        parts.append("AE: " + ", ".join(k for k, _ in o.to_pardot))
    if o.dropped:
        parts.append("dropped: " + ", ".join(f"{d.field} {d.code.value}" for d in o.dropped))
    if o.matched_by and o.action is not Action.CREATE_LEAD:
        parts.append(f"by {o.matched_by}")
    if o.owner is not None:  # only decisions beyond SPEC §3.4's (runtime/ownership.py)
        who = f" {o.owner.id}" if o.owner.id else ""
        parts.append(f"owner: {o.owner.decision.value}{who}")
    return "; ".join(parts)


def summary(plan: Plan | Summary, width: int | None = None) -> list[str]:
    """The summary lines (what `run` prints): of a whole Plan, or of a Summary (`run` on
    the direct path, whose totals come from SQL)."""
    totals = plan if isinstance(plan, Summary) else Summary.of(plan)
    counts = totals.counts
    actions = ", ".join(f"{counts[a.value]} {a.value}" for a in Action if counts[a.value])
    lines = [f"{counts['prospects']} prospects: {actions or 'nothing to do'}"]
    if totals.from_salesforce:
        lines.append(f"  from Salesforce: {totals.from_salesforce} create_prospect")
    reasons = totals.reasons
    if reasons:
        lines.append("  skipped: " + ", ".join(f"{n} {r}" for r, n in reasons.items()))
    by_code: dict[str, list[tuple[str, int]]] = {}
    for (code, rule), n in totals.errors_by_rule.items():
        by_code.setdefault(code, []).append((rule, n))
    if by_code:
        lines.append("  errors:")
    for code, rules in by_code.items():
        lines.append(f"    {sum(n for _, n in rules)} {code}")
        lines.extend(_fit(f"      {n} {rule}", width) for rule, n in rules if rule)
    problems = totals.problems
    if problems:
        lines.append(f"  formulas: {problems} failed while evaluating (see --format json)")
    return lines


def render(
    plan: Plan, colour: bool = False, width: int | None = None, rows: int | None = None
) -> str:
    """The table; `width` is the terminal's (None when not writing to one: nothing cut).
    `rows`: at most this many rows of each action, in plan order, then a line counting the
    rows left out (None: every row), so a million prospects are not a million lines."""
    lines = summary(plan, width)
    if plan.business_units:  # each unit's own summary, rows and new prospects
        lines.extend(_units(plan, colour, width, rows))
    elif plan.outcomes:
        shown = _shown(plan.outcomes, rows)
        # the columns fit the longest id and target: ids are never cut
        pw = max(8, *(len(o.prospect) for o in shown))
        tw = max(6, *(len(_target(o)) for o in shown))
        aw = 11
        lines.append("")
        lines.append(f"{'PROSPECT':<{pw}} {'ACTION':<{aw}} {'TARGET':<{tw}} DETAIL")
        rest = None if width is None else max(MIN_DETAIL, width - pw - aw - tw - 3)
        for o in shown:
            action = f"{o.action.value:<{aw}}"
            if colour:
                action = f"{COLOURS[o.action]}{action}{RESET}"
            lines.append(
                f"{o.prospect:<{pw}} {action} {_target(o):<{tw}} {_fit(_detail(o), rest)}".rstrip()
            )
        if len(shown) < len(plan.outcomes):
            lines.append(_left_out(plan.outcomes, shown, rows or 0))
    if plan.from_salesforce and not plan.business_units:
        lines.append("")
        lines.extend(_from_salesforce(plan.from_salesforce, width))
    if plan.personalization is not None:
        lines.append("")
        merged = sum(1 for p in plan.personalization if p.action == "merge")
        lines.append(f"Personalization: {merged} of {len(plan.personalization)} merge")
        for p in plan.personalization:
            where = f"{p.target.object} {p.target.id} by {p.matched_by}" if p.target else p.reason
            lines.append(_fit(f"  {p.kind} {p.id}: {p.action} ({where})", width))
    if plan.user_sync is not None:
        lines.append("")
        lines.extend(_user_sync(plan.user_sync, width))
    if plan.campaigns is not None:
        lines.append("")
        lines.extend(_campaigns(plan.campaigns, width))
    return "\n".join(lines) + "\n"


def _units(plan: Plan, colour: bool, width: int | None, rows: int | None) -> list[str]:
    """Business units in the order their cycles ran, each as a plan of its own, then the
    records more than one unit syncs with (docs/design.md, business units)."""
    lines: list[str] = []
    for name in plan.business_units:
        # the unit's counts on its heading (the org's summary above has the breakdown),
        # then its rows and new prospects
        body = render(plan.for_unit(name), colour, width, rows).rstrip("\n").split("\n")
        head = body[: body.index("")] if "" in body else body
        lines += ["", f"BUSINESS UNIT {name}", head[0]]
        lines += [line for line in head[1:] if line.startswith("  from Salesforce")]
        lines += body[len(head) :]
    if plan.overlaps:
        lines += ["", f"Records more than one business unit syncs with: {len(plan.overlaps)}"]
        for overlap in plan.overlaps:
            pairs = zip(overlap.units, overlap.prospects, strict=True)
            who = ", ".join(f"{unit} {prospect}" for unit, prospect in pairs)
            lines.append(_fit(f"  {overlap.target.object} {overlap.target.id}: {who}", width))
    return lines


def _shown(outcomes: Sequence[Outcome], rows: int | None) -> Sequence[Outcome]:
    if rows is None or len(outcomes) <= rows:
        return outcomes
    taken: Counter[Action] = Counter()
    shown = []
    for o in outcomes:
        if taken[o.action] < rows:
            taken[o.action] += 1
            shown.append(o)
    return shown


def _left_out(outcomes: Sequence[Outcome], shown: Sequence[Outcome], rows: int) -> str:
    counts = Counter(o.action for o in outcomes)
    more = ", ".join(f"{counts[a] - rows:,} {a.value}" for a in Action if counts[a] > rows)
    total = len(outcomes) - len(shown)
    return (
        f"… and {total:,} more rows ({more}): the first {rows} of each action are shown "
        "(--all shows every row)"
    )


def _from_salesforce(entries: Sequence[NewProspect], width: int | None) -> list[str]:
    """SPEC §3.9: each lead or contact that gets a new prospect, and its fields."""
    lines = [f"Prospects from Salesforce: {len(entries)} create_prospect"]
    for n in entries:
        detail = ", ".join(k for k, _ in n.to_pardot)
        if n.dropped:
            detail += "; dropped: " + ", ".join(f"{d.field} {d.code.value}" for d in n.dropped)
        source = f"{n.source.object} {n.source.id}"
        lines.append(_fit(f"  {source} -> {n.id}: {detail}", width))
    return lines


def _tally(actions: Sequence[str], order: tuple[str, ...]) -> str:
    counts = Counter(actions)
    return ", ".join(f"{counts[a]} {a}" for a in order if counts[a])


def _user_sync(entries: Sequence[UserAccess], width: int | None) -> list[str]:
    order = ("gain", "change", "lose", "keep", "none", "skip")
    lines = [
        f"User Sync: {len(entries)} users ({_tally([u.action for u in entries], order) or 'none'})"
    ]
    for u in entries:
        if u.action == "change":
            what = f'"{u.current}" -> "{u.role}"'
        elif u.action in ("gain", "keep"):
            what = f'"{u.role}"'
        elif u.action == "lose":
            what = f'"{u.current}"'
        else:
            what = ""
        why = f"({u.reason})" if u.reason else ""
        label = f"{u.user} {u.name}".strip()
        said = " ".join(p for p in (u.action, what, why) if p)
        lines.append(_fit(f"  {label}: {said}", width))
    return lines


def _campaigns(entries: Sequence[CampaignLink], width: int | None) -> list[str]:
    order = ("create", "link", "linked", "unlinked", "skip")
    lines = [f"Campaigns: {len(entries)} ({_tally([c.action for c in entries], order) or 'none'})"]
    for c in entries:
        ae = (
            f"AE {c.pardot_campaign}"
            if c.pardot_campaign
            else "AE (new)"
            if c.action == "create"
            else "AE -"
        )
        sf = f"Salesforce {c.salesforce_campaign}" if c.salesforce_campaign else "Salesforce -"
        why = f" ({c.reason})" if c.reason else ""
        lines.append(_fit(f'  "{c.name}": {c.action}{why}  {ae} <-> {sf}', width))
    return lines
