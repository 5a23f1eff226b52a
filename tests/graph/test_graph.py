"""The evaluation graph of a non-trivial rule set: its edges are exactly the dependencies
read from the expressions, its order puts every node after what it reads, and it answers
'what depends on field X'."""

from __future__ import annotations

from engine import api
from engine.cli import main
from engine.graph import EvaluationGraph

RULES = """
object prospect { email: email score: number grade: grade country: text(80) job_title: text(128) }
object lead {
    Email: email  Country: text(80)  Title: text(128)  OwnerId: reference(user)
    Status: picklist("Open", "Qualified")  LastName: text(80) required
}
object contact { Email: email  Title: text(128)  OwnerId: reference(user) }
field email { lead: Email contact: Email }
field country { lead: Country sync: pardot }
field job_title { lead: Title contact: Title }
share lead when OwnerId in group "Direct Sales"
stage MQL when score >= 100 or grade >= "B"
stage SQL when MQL and lead.Status = "Qualified"
stage Won when SQL and contact.Title != ""
create lead when MQL or assigned
validation Country_Required on lead {
    error_if: NOT(ISBLANK(OwnerId)) && ISBLANK(Country)
    message: "Country!"
}
duplicate lead by Email
"""


def _graph() -> EvaluationGraph:
    rules = api.check_text(RULES, "rules.sync")
    assert not rules.diagnostics
    return api.graph(rules)


def test_edges_are_the_dependencies_read_from_the_expressions() -> None:
    g = _graph()
    edges = {
        (a, b)
        for a, b in g.g.edges
        if not a.startswith(("lead.", "contact.", "prospect.")) or not b.startswith("mapping:")
    }
    assert edges == {
        ("prospect.score", "stage:MQL"),
        ("prospect.grade", "stage:MQL"),
        ("stage:MQL", "stage:SQL"),
        ("lead.Status", "stage:SQL"),
        ("stage:SQL", "stage:Won"),
        ("contact.Title", "stage:Won"),
        ("stage:MQL", "gate:lead"),
        ("prospect.assigned_user", "gate:lead"),
        ("lead.OwnerId", "share:lead:1"),
        ("user.groups", "share:lead:1"),
        ("lead.OwnerId", "validation:lead.Country_Required"),
        ("lead.Country", "validation:lead.Country_Required"),
        ("lead.Email", "duplicate:lead:Email"),
        # mappings whose writes can change what a validation or duplicate rule sees
        ("mapping:country", "validation:lead.Country_Required"),
        ("mapping:email", "duplicate:lead:Email"),
    }
    mapping_inputs = {(a, b) for a, b in g.g.edges if b.startswith("mapping:")}
    assert mapping_inputs == {
        ("prospect.email", "mapping:email"),
        ("lead.Email", "mapping:email"),
        ("contact.Email", "mapping:email"),
        ("prospect.country", "mapping:country"),
        ("lead.Country", "mapping:country"),
        ("prospect.job_title", "mapping:job_title"),
        ("lead.Title", "mapping:job_title"),
        ("contact.Title", "mapping:job_title"),
    }


def test_order_puts_every_node_after_what_it_reads() -> None:
    g = _graph()
    order = g.order()
    position = {node: n for n, node in enumerate(order)}
    assert all(position[a] < position[b] for a, b in g.g.edges)
    stages = [n for n in order if n.startswith("stage:")]
    assert stages == ["stage:MQL", "stage:SQL", "stage:Won"]
    assert g.cycles() == []


def test_what_depends_on_a_field() -> None:
    g = _graph()
    assert g.resolve("score") == ["prospect.score"]
    assert g.resolve("country") == ["lead.Country", "prospect.country"]
    assert g.dependents(g.resolve("score")) == [
        "stage:MQL",
        "gate:lead",
        "stage:SQL",
        "stage:Won",
    ]
    assert g.dependents(["lead.Country"]) == [
        "mapping:country",
        "validation:lead.Country_Required",
    ]


def test_graph_command_formats(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rules.sync"
    path.write_text(RULES, encoding="utf-8")
    assert main(["graph", str(path), "--depends", "lead.Status", "--format", "text"]) == 0
    assert (
        capsys.readouterr().out
        == "lead.Status feeds (directly, or through what reads it):\n  stage:SQL\n  stage:Won\n"
    )
    assert main(["graph", str(path), "--format", "dot"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("digraph syncrules {\n")
    assert '  "stage:MQL" -> "stage:SQL";\n' in dot
    writes = '[style=dashed, label="writes"]'
    assert f'  "mapping:country" -> "validation:lead.Country_Required" {writes};\n' in dot
    assert main(["graph", str(path), "--format", "mermaid"]) == 0
    mermaid = capsys.readouterr().out
    assert mermaid.startswith("flowchart LR\n")
    assert "  n_stage_MQL --> n_stage_SQL\n" in mermaid
    assert main(["graph", str(path), "--format", "json"]) == 0
    assert '"from": "stage:MQL"' in capsys.readouterr().out


def test_graph_of_an_invalid_rule_set_cannot_run(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.sync"
    path.write_text("stage A when nope\n", encoding="utf-8")
    assert main(["graph", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown-field" in captured.err
