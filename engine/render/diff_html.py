"""`diff --format html`: a rule change as a picture — which prospects move from which
outcome to which between the two versions — and the changes as a table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from markupsafe import Markup

from engine.plan import Change
from engine.render import diff, flow, html


def _tone(category: str) -> str:
    action = category.split(" ", 1)[0]
    return action if action in flow.PALETTE else "other"


def moves(changes: Sequence[Change]) -> tuple[list[flow.FlowNode], list[flow.FlowLink]]:
    """Two columns, the old rules' outcomes and the new ones', one band per move."""
    pairs = Counter((diff.category(c.old), diff.category(c.new)) for c in changes)
    olds, news = Counter[str](), Counter[str]()
    for (a, b), n in pairs.items():
        olds[a] += n
        news[b] += n
    nodes = [flow.FlowNode(f"old:{k}", 0, k, olds[k], _tone(k)) for k in sorted(olds)]
    nodes += [flow.FlowNode(f"new:{k}", 1, k, news[k], _tone(k)) for k in sorted(news)]
    links = [flow.FlowLink(f"old:{a}", f"new:{b}", n) for (a, b), n in sorted(pairs.items())]
    return nodes, links


def render(changes: Sequence[Change], prospects: int, old: str, new: str) -> str:
    nodes, links = moves(changes)
    picture = flow.svg(
        nodes, links, title=f"Outcomes under {old} (left) and {new} (right)", width=900
    )
    rows = [
        {
            "prospect": c.prospect,
            "before": diff.brief(c.old),
            "after": diff.brief(c.new),
            "old_action": c.old.action.value if c.old else "absent",
            "new_action": c.new.action.value if c.new else "absent",
            "what": ", ".join(c.what),
            "details": diff.details(c),
        }
        for c in changes
    ]
    return html.render(
        "diff.html.j2",
        title=f"syncrules diff: {len(changes)} of {prospects} prospects change",
        subtitle=f"old rules {old} · new rules {new}",
        old=old,
        new=new,
        changed=len(changes),
        prospects=prospects,
        flow_svg=Markup(picture),
        rows=rows,
    )
