"""`dry-run --format html` / `run --report`: the page's content, from a plan built by hand
and from the Acme sample. What the page does in a browser is tests/browser/'s job."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.cli import main
from engine.plan import (
    Action,
    ErrorCode,
    Failure,
    Outcome,
    Owner,
    OwnerDecision,
    Plan,
    SkipReason,
    Step,
    Target,
)
from engine.render import plan_json, report
from tests.conftest import ROOT

ACME = [str(ROOT / "samples/acme/rules"), "--records", str(ROOT / "samples/acme/records")]
NOW = ["--now", "2026-12-01T00:00:00Z"]

LEAD = Target("lead", "00Q1")
PLAN = Plan(
    (
        Outcome(
            "p1",
            Action.UPDATE,
            ("MQL",),
            target=LEAD,
            matched_by="email",
            to_salesforce=(("Title", "CTO"),),
        ),
        Outcome("p2", Action.SKIP, (), reason=SkipReason.GATED),
        Outcome("p3", Action.SKIP, (), reason=SkipReason.NOT_SHARED),
        Outcome(
            "p4",
            Action.ERROR,
            ("MQL",),
            failures=(
                Failure(ErrorCode.VALIDATION, "Country_Required", "Need a country.", ("Country",)),
            ),
        ),
        Outcome(
            "p5</script><b>", Action.CREATE_LEAD, ("MQL",), to_salesforce=(("Email", "a@b.c"),)
        ),
        Outcome("p6", Action.NO_CHANGE, (), target=Target("contact", "003A"), matched_by="crm_id"),
    )
)


def _payload(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_each_prospect_takes_its_path_through_the_cycle() -> None:
    paths = {o.prospect: report._path(o) for o in PLAN.outcomes}
    common = ["all", "running", "present"]
    assert paths["p1"] == [*common, "visible", "email", "existing", "passed", "update"]
    assert paths["p2"] == [*common, "visible", "unmatched", "gated"]
    assert paths["p3"] == [*common, "not_shared"]
    assert paths["p4"] == [*common, "visible", "unmatched", "gate", "error"]
    assert paths["p6"] == [*common, "visible", "crm_id", "existing", "passed", "no_change"]
    paused = Outcome("p9", Action.SKIP, (), reason=SkipReason.PAUSED)
    assert report._path(paused) == ["all", "paused"]


def test_flow_counts_every_prospect_once_per_column() -> None:
    nodes, links = report.cycle_flow(PLAN)
    value = {n.id: n.value for n in nodes}
    assert value["all"] == 6
    assert value["visible"] == 5
    assert (value["gated"], value["error"], value["not_shared"]) == (1, 1, 1)
    assert (value["create_lead"], value["update"], value["no_change"]) == (1, 1, 1)
    assert {(link.source, link.target): link.value for link in links}[("visible", "unmatched")] == 3


def test_the_owner_column_shows_decisions_beyond_spec_3_4() -> None:
    queue = Owner(OwnerDecision.QUEUE, "00G1", "")
    rule = Owner(OwnerDecision.ASSIGNMENT_RULE, None, "")
    plan = Plan(
        (
            Outcome(
                "q1", Action.CREATE_LEAD, (), to_salesforce=(("OwnerId", "00G1"),), owner=queue
            ),
            Outcome("q2", Action.CREATE_LEAD, (), owner=rule),
            Outcome("q3", Action.CREATE_LEAD, (), to_salesforce=(("OwnerId", "005A"),)),
        )
    )
    page = report.render(plan, report.ReportOptions())
    rows = _payload(page)["rows"]
    assert isinstance(rows, list)
    assert [row[10] for row in rows] == ["queue 00G1", "assignment_rule", ""]
    assert ">owner</button></th>" in page


def test_page_embeds_rows_traces_and_an_escaped_payload() -> None:
    options = report.ReportOptions(
        traces={"p4": (Step("gate", "create lead when `MQL`: true"),)},
        rule_reads={"Country_Required": ("lead.Country", "lead.OwnerId")},
    )
    page = report.render(PLAN, options)
    assert "p5</script><b>" not in page  # neither the table data nor the markup can break out
    data = _payload(page)
    rows = data["rows"]
    assert isinstance(rows, list)
    assert rows[3] == [
        "p4",
        "error",
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Country_Required",
        "",
        "",
        "MQL",
        0,
        0,
        0,
        "",  # no owner decision beyond SPEC §3.4's
        1,
    ]
    assert rows[4][0] == "p5</script><b>"
    assert data["traces"] == {"p4": [["gate", "create lead when `MQL`: true", []]]}
    # the errors table: code, rule, count, the fields the rule reads and reports
    assert "lead.Country, lead.OwnerId" in page
    assert 'data-rule="Country_Required"' in page
    assert page == report.render(PLAN, options)  # byte for byte


def test_tabs_say_when_a_block_is_absent() -> None:
    page = report.render(PLAN)
    assert "The rule set has no <code>personalization</code> block." in page
    assert "The rule set has no <code>user_sync</code> block." in page
    assert "The rule set has no <code>campaigns</code> block." in page


def test_page_fetches_nothing() -> None:
    page = report.render(PLAN)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "default-src 'none'" in page  # the page's own policy forbids fetching, too


def test_dry_run_html_of_the_acme_sample(tmp_path: Path) -> None:
    out = tmp_path / "acme.html"
    assert main(["dry-run", *ACME, *NOW, "--format", "html", "--output", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    data = _payload(page)
    rows = data["rows"]
    assert isinstance(rows, list)
    assert len(rows) == 42
    actions = [r[1] for r in rows]
    # 48210010 syncs in the Channel unit (not_shared in Direct's sharing)
    assert (actions.count("error"), actions.count("skip"), actions.count("update")) == (8, 8, 17)
    traces = data["traces"]
    assert isinstance(traces, dict)
    assert len(traces) == 42  # a small record set is traced in full
    assert traces["48210012"][0][0] == "match"
    assert "Lead_Phone_Format" in page
    assert "syncrules explain" in str(data["explain"])


def test_run_report_is_written_beside_the_new_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, page = tmp_path / "out", tmp_path / "report.html"
    assert main(["run", *ACME, *NOW, "--out", str(out), "--report", str(page)]) == 0
    assert f"wrote {page}" in capsys.readouterr().out
    assert len(_payload(page.read_text(encoding="utf-8"))["rows"]) == 42  # type: ignore[arg-type]


def test_a_large_report_keeps_full_results_only_for_traced_prospects() -> None:
    traced = report.ReportOptions(traces={"p4": ()}, detail_limit=5)
    outcomes = _payload(report.render(PLAN, traced))["outcomes"]
    assert isinstance(outcomes, dict)
    assert list(outcomes) == ["p4"]
    assert outcomes["p4"]["error_code"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    small = _payload(report.render(PLAN, report.ReportOptions(detail_limit=6)))["outcomes"]
    assert isinstance(small, dict)
    assert len(small) == 6


def test_prospects_from_salesforce_get_their_tab(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tab reads the plan's JSON as SPEC §4 pins `prospects_from_salesforce`."""
    created = {
        "source": {"object": "contact", "id": "003Z"},
        "action": "create_prospect",
        "to_pardot": {"email": "z@x.com", "first_name": "Zoe"},
        "dropped": [{"field": "score", "code": "INVALID_TYPE", "value": "lots"}],
    }
    pinned = plan_json.as_dict
    monkeypatch.setattr(
        plan_json,
        "as_dict",
        lambda plan: pinned(plan) | {"prospects_from_salesforce": [created]},
    )
    page = report.render(PLAN)
    assert "From Salesforce (1)" in page
    assert (
        "<tr><td>1</td><td>contact 003Z</td><td>"
        '<span class="badge create_prospect">create_prospect</span></td>'
        '<td>email, first_name</td><td class="num">1</td></tr>'
    ) in page


def test_a_report_that_cannot_be_written_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "report.html"
    assert main(["dry-run", *ACME, *NOW, "--format", "html", "--output", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"syncrules: {target}: cannot write: {blocker} is not a folder\n"
    )
    out = tmp_path / "out"
    assert main(["run", *ACME, *NOW, "--out", str(out), "--report", str(target)]) == 2
    assert f"syncrules: {target}: cannot write" in capsys.readouterr().err
    assert not out.exists()  # refused before the run wrote anything
