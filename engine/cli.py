"""argv → api → renderer → exit code. No sync, check or formatting logic lives here.

argparse (stdlib) rather than a CLI framework: it starts in a millisecond, and `check`
must start fast enough to run on every commit.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from enum import IntEnum
from typing import Any

from engine import __version__


class ExitCode(IntEnum):
    """SPEC §4."""

    OK = 0
    FINDINGS = 1
    CANNOT_RUN = 2
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it


def _colour(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def _terminal_width(stream: object) -> int | None:
    """The terminal's width, to fit table lines to; None for a file or a pipe (never cut)."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return None
    import shutil

    return shutil.get_terminal_size().columns


def _write(text: str) -> None:
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:  # a file name that is not UTF-8 (surrogateescape), a
        # terminal in ASCII: shown escaped, as Python shows it on stderr, never a crash
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
    sys.stdout.flush()


# -- commands --------------------------------------------------------------------------


def _findings(args: argparse.Namespace, found, sources, rule_codes) -> None:  # type: ignore[no-untyped-def]
    from engine.render import diagnostics_json, github, sarif, text

    if args.format == "json":
        _write(diagnostics_json.render(found))
    elif args.format == "sarif":
        _write(sarif.render(found, rule_codes))
    elif args.format == "github":
        _write(github.render(found))
    else:
        _write(text.diagnostics(found, sources, _colour(sys.stdout)))


def _note_included(paths: Sequence[str], found: Sequence[object]) -> None:
    """A file checked alone that another file includes: say so, when it has errors."""
    from engine import api

    if not found:
        return
    for path in paths:
        for parent in api.included_by(path):
            folder = os.path.dirname(parent) or "."
            sys.stderr.write(
                f"syncrules: note: {path} is included by {parent}; its declarations may live "
                f"there — check the whole rule set: syncrules check {folder}\n"
            )


def cmd_check(args: argparse.Namespace) -> ExitCode:
    from engine import api, codes
    from engine.diagnostics import Severity

    rules = api.check(args.rules)
    _findings(args, rules.diagnostics, rules.sources, codes.CHECK_CODES)
    # notes (an SFDX tree's skipped objects) are shown but are not findings
    found = any(d.severity is not Severity.INFO for d in rules.diagnostics)
    _note_included(args.rules, [d for d in rules.diagnostics if d.name == "unknown-field"])
    return ExitCode.FINDINGS if found else ExitCode.OK


def cmd_lint(args: argparse.Namespace) -> ExitCode:
    from engine import api
    from engine.diagnostics import Severity

    config = api.lint_config(args.config)
    rules = api.check(args.rules)
    records = None
    if args.records is not None:
        if rules.has_errors:  # records are typed by the declarations: lint the rules alone
            sys.stderr.write("syncrules: --records ignored: the rule set has errors\n")
        else:
            records = api.load_records(args.records, rules, per_record="lint --records")
    found = api.lint(rules, config, records)
    _note_included(args.rules, [d for d in found if d.name == "unknown-field"])
    _findings(args, found, rules.sources, api.lint_codes())
    level = Severity(args.fail_level) if args.fail_level else config.fail_level
    return ExitCode.FINDINGS if api.lint_fails(found, level) else ExitCode.OK


def cmd_fmt(args: argparse.Namespace) -> ExitCode:
    from engine import api
    from engine.render import text

    results = api.format_files(args.rules)
    changed = [r for r in results if r.changed]
    broken = [r for r in results if r.text is None]
    for result in broken:
        _write(text.diagnostics(result.diagnostics, result.sources, _colour(sys.stdout)))
    if args.diff:
        _write("".join(r.diff for r in changed))
    elif args.check:
        _write("".join(f"would reformat {r.path}\n" for r in changed))
    else:
        api.write_formatted(changed)
        _write("".join(f"reformatted {r.path}\n" for r in changed))
    verb = "would be reformatted" if args.check or args.diff else "reformatted"
    summary = f"{len(changed)} file{'s' if len(changed) != 1 else ''} {verb}, "
    summary += f"{len(results) - len(changed) - len(broken)} unchanged"
    if broken:
        summary += f", {len(broken)} could not be formatted"
    sys.stderr.write(summary + "\n")
    pending = changed and (args.check or args.diff)
    return ExitCode.FINDINGS if pending or broken else ExitCode.OK


def cmd_test(args: argparse.Namespace) -> ExitCode:
    from engine import ruletest
    from engine.files import write_atomic
    from engine.render import text

    _split_tests(args)
    try:
        run = ruletest.run_tests(args.tests, args.rules or None)
    except ruletest.NoTests as error:
        if not args.allow_no_tests:
            raise
        _write(f"no rule tests found ({error}); nothing to run\n")
        return ExitCode.OK
    except ruletest.InvalidRules as error:
        found = error.rules.diagnostics
        sys.stderr.write(text.diagnostics(found, error.rules.sources, _colour(sys.stderr)))
        raise CannotRun(str(error)) from None
    _write(ruletest.render_text(run, with_coverage=args.coverage))
    if args.junit_xml:
        write_atomic(args.junit_xml, ruletest.render_junit_xml(run))
    return ExitCode.FINDINGS if run.failed else ExitCode.OK


def _split_tests(args: argparse.Namespace) -> None:
    """`test --rules rules tests`: `--rules` takes every word after it, TESTS too. The
    trailing words that hold rule tests are TESTS (else the last word, as `cp` reads its
    last argument), so the command means what it reads as."""
    from engine.ruletest import holds_tests

    missing = "test: no TESTS given (test files, or directories holding *_test.yaml files)"
    if args.tests or not args.rules:
        if not args.tests:
            raise CannotRun(missing)
        return
    split = len(args.rules)
    while split > 1 and holds_tests(args.rules[split - 1]):
        split -= 1
    if split == len(args.rules):
        split -= 1
    if split == 0:
        raise CannotRun(missing)
    args.rules, args.tests = args.rules[:split], args.rules[split:]


def cmd_import_salesforce(args: argparse.Namespace) -> ExitCode:
    from engine import api, import_report, import_text

    if not os.path.isdir(args.dir):
        raise CannotRun(f"{args.dir}: no such directory")
    if not os.path.isdir(os.path.join(args.dir, "objects")):
        nested = os.path.join(args.dir, "main", "default")
        hint = (
            f"; did you mean {nested}?"
            if os.path.isdir(os.path.join(nested, "objects"))
            else " (pass the folder that holds objects/, e.g. force-app/main/default)"
        )
        raise CannotRun(f"{args.dir}: no objects/ folder here{hint}")
    if args.format == "json" and not args.report:
        raise CannotRun("--format json is the format of --report: add --report")
    result = api.import_report(args.dir)
    if not args.report:
        _write(import_text.render(result))
        # stdout stays a rule file; what the tree could not give goes to stderr, located
        sys.stderr.write("".join(f"syncrules: refused: {_where(d)}\n" for d in result.refused))
    elif args.format == "json":
        _write(import_report.report_json(result))
    else:
        _write(import_report.render(result))
    return ExitCode.FINDINGS if result.refused else ExitCode.OK


def _where(d) -> str:  # type: ignore[no-untyped-def]
    s = d.span
    return f"{s.path}:{s.line}:{s.col}: {d.code} {d.name}: {d.message}"


def cmd_rule(args: argparse.Namespace) -> ExitCode:
    from engine import api

    if args.name is None:  # no name: the list of every rule and error, to pick from
        codes = api.lint_codes()
        width = max(len(c.name) for c in codes)
        lines = [f"{c.code}  {c.name:<{width}}  {c.severity:<7}  {c.summary}" for c in codes]
        _write("\n".join(lines) + "\n\nsyncrules rule NAME prints a rule's page\n")
        return ExitCode.OK
    _write(api.rule_doc(args.name))
    return ExitCode.OK


def cmd_lsp(args: argparse.Namespace) -> ExitCode:
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        raise CannotRun("the language server needs pygls: pip install 'syncrules[lsp]'") from None
    from engine.lsp.server import serve

    serve()
    return ExitCode.OK


def _checked_or_exit(paths: Sequence[str]):  # type: ignore[no-untyped-def]
    """Rules for commands that need a valid rule set: errors go to stderr, exit 2."""
    from engine import api
    from engine.render import text

    rules = api.check(paths)
    if rules.has_errors:
        sys.stderr.write(text.diagnostics(rules.diagnostics, rules.sources, _colour(sys.stderr)))
        raise CannotRun("the rule set has errors; run `syncrules check` for details")
    return rules


def cmd_graph(args: argparse.Namespace) -> ExitCode:
    from engine import api
    from engine.render import graph as render_graph

    rules = _checked_or_exit(args.rules)
    graph = api.graph(rules)
    only = None
    if args.depends is not None:
        roots = graph.resolve(args.depends) if args.depends.strip() else []
        if not roots:
            raise CannotRun(_nothing_called(args.depends, graph.view().nodes))
        dependents = graph.dependents(roots)
        if args.format == "text":
            lines = [f"{', '.join(roots)} feeds (directly, or through what reads it):"]
            lines += [f"  {n}" for n in dependents] or ["  nothing"]
            _write("\n".join(lines) + "\n")
            return ExitCode.OK
        only = [*roots, *dependents]
    view = graph.view(only)
    if args.format in ("svg", "html"):
        from engine.render import graph_svg

        draw = graph_svg.svg if args.format == "svg" else graph_svg.page
        _write(draw(view, args.link))
        return ExitCode.OK
    renderers: dict[str, Callable[[object], str]] = {
        "dot": render_graph.dot,  # type: ignore[dict-item]
        "mermaid": render_graph.mermaid,  # type: ignore[dict-item]
        "json": render_graph.as_json,  # type: ignore[dict-item]
        "text": render_graph.order_text,  # type: ignore[dict-item]
    }
    _write(renderers[args.format](view))
    return ExitCode.OK


def _nothing_called(name: str, nodes) -> str:  # type: ignore[no-untyped-def]
    """`graph --depends` of a name that is no node: the nearest names, or what to give."""
    from engine.diagnostics import suggest

    if not name.strip():
        return "--depends needs a name: a field (lead.Country, score) or a stage (MQL)"
    names = sorted({n.id for n in nodes} | {n.label for n in nodes if n.kind in FIELD_OR_STAGE})
    hint = suggest(name, names) or "give a field (lead.Country, score) or a stage (MQL)"
    return f'--depends: nothing in the rule set is called "{name}"; {hint}'


FIELD_OR_STAGE = ("field", "stage")


def _now(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    import datetime as dt

    if not args.now:
        return None
    try:
        value = dt.datetime.fromisoformat(args.now.replace("Z", "+00:00"))
    except ValueError:
        raise CannotRun(f"--now {args.now!r}: expected an ISO date or date-time") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


PROGRESS_FROM = 500  # prospects: shorter runs finish before a bar would help


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[int], object] | None]:
    """A progress bar on stderr for long runs, only when stderr is a terminal."""
    if total < PROGRESS_FROM or not _colour(sys.stderr):
        yield None
        return
    from tqdm import tqdm  # type: ignore[import-untyped]

    with tqdm(total=total, file=sys.stderr, unit="prospect", leave=False) as bar:
        yield bar.update


def _cycle_time(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The cycle's clock, fixed once: a report's traces must see the plan's own `now`."""
    import datetime as dt

    return _now(args) or dt.datetime.now(dt.UTC).replace(microsecond=0)


def _report_html(args: argparse.Namespace, rules, records, plan, now) -> str:  # type: ignore[no-untyped-def]
    import shlex

    from engine import api
    from engine.render import report

    data = api.report_data(rules, records, plan, now=now)
    source = f"syncrules {shlex.join(args.rules)} --records {shlex.quote(args.records)}"
    options = report.ReportOptions(
        title=f"syncrules {args.command}: {len(plan.outcomes)} prospects",
        subtitle=f"rules {' '.join(args.rules)} · records {args.records} · "
        f"cycle time {now.isoformat().replace('+00:00', 'Z')}",
        traces=data.traces,
        rule_reads=data.rule_reads,
        explain_command=source.replace("syncrules", "syncrules explain", 1) + " --prospect {id}",
    )
    return report.render(plan, options)


def _output(path: str | None, text: str) -> None:
    """Standard output, or a file written atomically (`--output`)."""
    if path is None:
        _write(text)
        return
    _write_file(path, text)
    sys.stderr.write(f"syncrules: wrote {path}\n")


def _write_file(path: str, text: str) -> None:
    """A file the user named (`--output`, `--report`): a failure is theirs to fix (exit 2,
    an InputError from files.py naming the path and the reason)."""
    from engine.files import write_atomic

    write_atomic(path, text)


def cmd_dry_run(args: argparse.Namespace) -> ExitCode:
    from engine import api
    from engine.render import plan_table

    rules = _checked_or_exit(args.rules)
    if args.format in ("json", "jsonl", "parquet"):  # rendered from DuckDB's rows
        if args.format == "parquet" and args.output is None:
            raise CannotRun("--format parquet writes a file: add --output FILE")
        now = _cycle_time(args)
        with api.direct_rows(rules, args.records, now=now, **_engine(args)) as direct:
            if direct is not None:
                _stream_plan(args, direct)
                failed = args.fail_on_error and direct.has_errors
                return ExitCode.FINDINGS if failed else ExitCode.OK
    plan = None
    if args.format != "html":  # DuckDB reads large CSV/Parquet record sets itself
        now = _cycle_time(args)
        plan = api.dry_run_direct(rules, args.records, now=now, **_engine(args))
    if plan is None:
        if args.format == "html":
            records = api.load_records(
                args.records,
                rules,
                per_record="dry-run --format html",
                instead="dry-run in another format",
            )
        else:
            records = api.load_records(args.records, rules)
        now = _cycle_time(args)
        with _progress(len(records.prospects)) as progress:
            plan = api.dry_run(
                rules, records, now=now, progress=progress, notice=_notice, **_engine(args)
            )
    if args.format in ("json", "jsonl", "parquet"):
        _stream_plan(args, plan)
        return ExitCode.FINDINGS if args.fail_on_error and plan.has_errors else ExitCode.OK
    if args.format == "html":
        text = _report_html(args, rules, records, plan, now)
    else:
        width = None if args.output else _terminal_width(sys.stdout)
        rows = None if args.all else TABLE_ROWS
        text = plan_table.render(plan, _colour(sys.stdout) and not args.output, width, rows)
    _output(args.output, text)
    return ExitCode.FINDINGS if args.fail_on_error and plan.has_errors else ExitCode.OK


TABLE_ROWS = 50  # dry-run's table: rows shown per action unless --all (issue 10)


def _stream_plan(args: argparse.Namespace, plan) -> None:  # type: ignore[no-untyped-def]
    """The plan as json, jsonl or parquet, written as it is rendered: never held whole as
    text. To `--output` through a temporary file that replaces it only when complete.
    `plan` is a Plan, or the direct path's rows in DuckDB (bulk/plan_rows.py)."""
    from engine.bulk.plan_rows import PlanRows
    from engine.files import atomic_output
    from engine.render import plan_json, plan_jsonl, plan_parquet

    rows = isinstance(plan, PlanRows)
    if args.format == "parquet":
        if args.output is None:
            raise CannotRun("--format parquet writes a file: add --output FILE")
        with atomic_output(args.output) as temp:
            (plan_parquet.write_rows if rows else plan_parquet.write)(plan, temp)
    elif rows:
        by_rows = plan_json.write_rows if args.format == "json" else plan_jsonl.write_rows
        if args.output is None:
            _binary(lambda out: by_rows(plan, out))
            return
        # UTF-8 bytes as SQL wrote them (PlanRows.entry_bytes): no text layer between
        with atomic_output(args.output) as temp, open(temp, "wb") as binary:
            by_rows(plan, binary.write)
    else:
        writers: dict[str, Callable[[Any, Callable[[str], object]], None]] = {
            "json": plan_json.write,
            "jsonl": plan_jsonl.write,
        }
        write = writers[args.format]
        if args.output is None:
            _buffered(lambda out: write(plan, out))
            return
        with atomic_output(args.output) as temp, open(temp, "w", encoding="utf-8") as handle:
            write(plan, handle.write)
    sys.stderr.write(f"syncrules: wrote {args.output}\n")


def _buffered(produce: Callable[[Callable[[str], object]], None]) -> None:
    """Standard output in chunks of about 64 KiB (`_write` flushes every call)."""
    chunks: list[str] = []
    size = 0

    def out(text: str) -> None:
        nonlocal size
        chunks.append(text)
        size += len(text)
        if size >= 65_536:
            _write("".join(chunks))
            chunks.clear()
            size = 0

    produce(out)
    _write("".join(chunks))


def _binary(produce: Callable[[Callable[[bytes | memoryview], object]], None]) -> None:
    """Standard output of UTF-8 bytes: straight to its byte stream when it writes UTF-8,
    else decoded a piece at a time and written as `_write` writes text."""
    stream = getattr(sys.stdout, "buffer", None)
    encoding = (getattr(sys.stdout, "encoding", None) or "").replace("_", "-").lower()
    if stream is None or encoding not in ("utf-8", "utf8"):
        # each piece is whole entries: no character is split between two
        _buffered(lambda out: produce(lambda piece: out(str(piece, "utf-8"))))
        return
    sys.stdout.flush()  # what was written as text goes first
    produce(stream.write)
    stream.flush()


def cmd_run(args: argparse.Namespace) -> ExitCode:
    from engine import api

    if args.report:  # before the run writes anything
        from engine.files import refuse_unwritable

        refuse_unwritable(args.report)
    rules = _checked_or_exit(args.rules)
    if not args.report:  # DuckDB reads large CSV/Parquet record sets and writes them back
        now = _cycle_time(args)
        direct = api.run_direct(rules, args.records, args.out, now=now, engine=args.engine)
        if direct is not None:
            return _ran(args, direct)
    if args.report:
        records = api.load_records(
            args.records, rules, per_record="run --report", instead="run without --report"
        )
    else:
        records = api.load_records(args.records, rules)
    now = _cycle_time(args)
    with _progress(len(records.prospects)) as progress:
        result = api.run(
            rules,
            records,
            args.out,
            now=now,
            progress=progress,
            notice=_notice,
            **_engine(args),
        )
    if args.report:
        code = _ran(args, result)
        _write_file(args.report, _report_html(args, rules, records, result.plan, now))
        _write(f"wrote {args.report}\n")
        return code
    return _ran(args, result)


def _ran(args: argparse.Namespace, result) -> ExitCode:  # type: ignore[no-untyped-def]
    """What `run` prints: the plan's summary and the files written. `result` is a
    RunResult or, on the direct path, a DirectRunResult: both give the summary."""
    from engine.render import plan_table

    summary = result.summary
    _write("\n".join(plan_table.summary(summary)) + "\n")
    _write("".join(f"wrote {path}\n" for path in result.written))
    return ExitCode.FINDINGS if args.fail_on_error and summary.has_errors else ExitCode.OK


def cmd_explain(args: argparse.Namespace) -> ExitCode:
    from engine import api
    from engine.render import explain

    rules = _checked_or_exit(args.rules)
    records = api.load_records(args.records, rules, per_record="explain")
    record = ("lead", args.lead) if args.lead is not None else ("contact", args.contact)
    if record[1] is not None:
        why = api.explain_record(rules, records, *record, now=_now(args))
        draw_record = explain.record_json if args.format == "json" else explain.record_text
        _write(draw_record(why.object, why.id, why.verdict, why.steps, why.created))
        return ExitCode.OK
    if args.prospect is None:
        kind, subject = ("user", args.user) if args.user is not None else ("account", args.account)
        found = api.explain_subject(rules, records, kind, subject)
        draw = explain.subject_json if args.format == "json" else explain.subject_text
        _write(draw(kind, subject, found.personalization, found.user_sync))
        return ExitCode.OK
    result = api.explain(rules, records, args.prospect, now=_now(args), engine=args.engine)
    render = explain.as_json if args.format == "json" else explain.text
    _write(render(result.outcome, result.steps))
    return ExitCode.OK


def _engine(args: argparse.Namespace) -> dict[str, str]:
    return {"engine": args.engine, "spark_master": args.spark_master}


def _notice(message: str) -> None:
    sys.stderr.write(f"syncrules: note: {message}\n")


def cmd_compile(args: argparse.Namespace) -> ExitCode:
    from engine import api

    rules = _checked_or_exit(args.rules)
    _write(api.compile_sql(rules, args.dialect))
    return ExitCode.OK


def engine_options(command: argparse.ArgumentParser) -> None:
    """`--engine` and `--spark-master` (SPEC §4, Engines)."""
    command.add_argument(
        "--engine",
        choices=("python", "duckdb", "spark", "auto"),
        default="auto",
        help="python: the per-record reference; duckdb: SQL in an embedded DuckDB; "
        "spark: Spark SQL through PySpark; auto (default): by record-set size",
    )
    command.add_argument(
        "--spark-master",
        default="local[*]",
        metavar="URL",
        help="the Spark master for --engine spark (default local[*])",
    )


def cmd_diff(args: argparse.Namespace) -> ExitCode:
    from engine import api
    from engine.render import diff

    old, new = _checked_or_exit([args.old]), _checked_or_exit([args.new])
    changes, compared = api.diff(old, new, args.records, now=_now(args), **_engine(args))
    if args.format == "html":
        from engine.render import diff_html

        _write(diff_html.render(changes, compared, args.old, args.new))
    else:
        render = diff.as_json if args.format == "json" else diff.text
        _write(render(changes, compared))
    return ExitCode.FINDINGS if args.fail_on_change and changes else ExitCode.OK


def cmd_queue_diff(args: argparse.Namespace) -> ExitCode:
    from engine import api
    from engine import queue as error_queues
    from engine.render import queue_diff

    found = error_queues.compare(api.read_queue(args.old), api.read_queue(args.new))
    if args.format == "json":
        _write(queue_diff.as_json(found))
    elif args.format == "html":
        _write(queue_diff.page(found, args.old, args.new))
    else:
        _write(queue_diff.text(found))
    return ExitCode.OK


# -- parser ----------------------------------------------------------------------------


FINDING_FORMATS = ("text", "json", "sarif", "github")
SUBPARSERS: dict[str, argparse.ArgumentParser] = {}


class CannotRun(Exception):
    """The command cannot run (exit 2); the message says why."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syncrules",
        description="Rules as code for the Account Engagement ↔ Salesforce CRM sync.",
    )
    parser.add_argument("--version", action="version", version=f"syncrules {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = sub.add_parser("check", help="parse, resolve and type-check rule files")
    check.add_argument("rules", nargs="+", metavar="RULES", help="rule files or directories")
    check.add_argument("--format", choices=FINDING_FORMATS, default="text")
    check.set_defaults(func=cmd_check)

    lint = sub.add_parser("lint", help="check plus every lint rule")
    lint.add_argument("rules", nargs="+", metavar="RULES")
    lint.add_argument("--format", choices=FINDING_FORMATS, default="text")
    lint.add_argument(
        "--config",
        metavar="PATH",
        help="a .syncrules.toml or pyproject.toml (default: the nearest one)",
    )
    lint.add_argument(
        "--fail-level",
        choices=("info", "warning", "error"),
        help="exit 1 only for findings at or above this severity",
    )
    lint.add_argument(
        "--records",
        metavar="PATH",
        help="a record set: also run the data-aware rules (Personalization "
        "exact-match misses, profiles without a role)",
    )
    lint.set_defaults(func=cmd_lint)

    fmt = sub.add_parser("fmt", help="rewrite rule files in the canonical layout")
    fmt.add_argument("rules", nargs="+", metavar="RULES", help="rule files or directories")
    fmt.add_argument(
        "--check", action="store_true", help="only report files that would change (exit 1 if any)"
    )
    fmt.add_argument(
        "--diff",
        action="store_true",
        help="print the changes as a unified diff instead of writing them",
    )
    fmt.set_defaults(func=cmd_fmt)

    test = sub.add_parser(
        "test", help="run rule tests (YAML files of records and expected outcomes)"
    )
    test.add_argument(
        "tests",
        nargs="*",
        metavar="TESTS",
        help="test files, or directories holding *_test.yaml files",
    )
    test.add_argument(
        "--rules",
        nargs="+",
        metavar="RULES",
        help="the rules under test, unless a test file names its own",
    )
    test.add_argument("--junit-xml", metavar="PATH", help="also write a JUnit XML report")
    test.add_argument(
        "--allow-no-tests",
        action="store_true",
        help="exit 0 when a directory holds no test files yet (the pre-commit hook does)",
    )
    test.add_argument(
        "--coverage",
        action="store_true",
        help="list stages, mappings, validation and sharing rules no test exercised",
    )
    test.set_defaults(func=cmd_test)

    imp = sub.add_parser(
        "import-salesforce", help="print what an SFDX tree imports, as rule-file text"
    )
    imp.add_argument(
        "dir", metavar="DIR", help="the folder holding objects/, e.g. force-app/main/default"
    )
    imp.add_argument(
        "--report",
        action="store_true",
        help="how many validation rules import, evaluate, or are set aside, and why",
    )
    imp.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="with --report: text, or one JSON object with an entry per validation rule",
    )
    imp.set_defaults(func=cmd_import_salesforce)

    rule_cmd = sub.add_parser("rule", help="show the documentation of a lint rule or error")
    rule_cmd.add_argument(
        "name",
        nargs="?",
        metavar="NAME",
        help="a rule name or code, e.g. double-write (none: list every rule)",
    )
    rule_cmd.set_defaults(func=cmd_rule)

    lsp = sub.add_parser(
        "lsp", help="a language server on stdin/stdout, for editors (pip install 'syncrules[lsp]')"
    )
    lsp.add_argument("--stdio", action="store_true", help="accepted for editors that pass it")
    lsp.set_defaults(func=cmd_lsp)

    graph = sub.add_parser("graph", help="print the evaluation graph")
    graph.add_argument("rules", nargs="+", metavar="RULES")
    graph.add_argument(
        "--format",
        choices=("dot", "mermaid", "json", "text", "svg", "html"),
        default="dot",
        help="dot (Graphviz), mermaid, json, text (evaluation order), or a picture: "
        "svg, html (no Graphviz needed)",
    )
    graph.add_argument(
        "--link",
        metavar="TEMPLATE",
        default="{path}#L{line}",
        help="svg/html: where a node links, from {path}, {abspath}, {line}, {col} "
        "(e.g. vscode://file/{abspath}:{line}:{col}); default {path}#L{line}",
    )
    graph.add_argument(
        "--depends",
        metavar="NAME",
        help="only what reads NAME (a field such as lead.Country or score, or a stage)",
    )
    graph.set_defaults(func=cmd_graph)

    def records_command(name: str, help_text: str, formats: tuple[str, ...]):  # type: ignore[no-untyped-def]
        command = sub.add_parser(name, help=help_text)
        command.add_argument("rules", nargs="+", metavar="RULES")
        command.add_argument(
            "--records",
            required=True,
            metavar="PATH",
            help="a record set: YAML/JSON/CSV file or a directory of them",
        )
        if formats:
            command.add_argument("--format", choices=formats, default=formats[0])
        command.add_argument(
            "--now",
            metavar="DATETIME",
            help="the run's date and time for TODAY()/NOW() (default: now)",
        )
        return command

    dry = records_command(
        "dry-run",
        "the plan of one sync cycle; writes nothing",
        ("table", "json", "html", "jsonl", "parquet"),
    )
    dry.add_argument(
        "--output",
        metavar="FILE",
        help="write the plan to FILE instead of standard output (html: a self-contained page; "
        "parquet: needs a FILE)",
    )
    dry.add_argument(
        "--all",
        action="store_true",
        help=f"table: every prospect's row (default: the first {TABLE_ROWS} of each action, "
        "then how many more)",
    )
    dry.add_argument(
        "--fail-on-error",
        action="store_true",
        help="exit 1 when any prospect would end in a sync error",
    )
    engine_options(dry)
    dry.set_defaults(func=cmd_dry_run)

    run = records_command("run", "apply one cycle: write the new record set and error queue", ())
    run.add_argument("--out", required=True, metavar="DIR")
    run.add_argument(
        "--report", metavar="FILE", help="also write the cycle's HTML report (one page) to FILE"
    )
    run.add_argument("--fail-on-error", action="store_true")
    engine_options(run)
    run.set_defaults(func=cmd_run)

    exp = records_command(
        "explain", "why a prospect gets its action, step by step", ("text", "json")
    )
    who = exp.add_mutually_exclusive_group(required=True)
    who.add_argument("--prospect", metavar="ID", help="a prospect: the sync cycle, step by step")
    who.add_argument(
        "--user",
        metavar="ID",
        help="a Personalization user (match-and-merge) and/or a Salesforce user "
        "(User Sync) with this id",
    )
    who.add_argument("--account", metavar="ID", help="a Personalization account (match-and-merge)")
    for obj in ("lead", "contact"):
        who.add_argument(
            f"--{obj}",
            metavar="ID",
            help=f"a Salesforce {obj}: whether the connector gives it a prospect, and why",
        )
    exp.add_argument(
        "--engine",
        choices=("python", "duckdb", "auto"),
        default="auto",
        help="--prospect: python runs the reference over the whole cycle; duckdb plans it in "
        "SQL and runs the reference on the prospect's turn only; auto (default): by size",
    )
    exp.set_defaults(func=cmd_explain)

    dif = sub.add_parser("diff", help="prospects whose outcome changes between two rule versions")
    dif.add_argument("old", metavar="OLD_RULES")
    dif.add_argument("new", metavar="NEW_RULES")
    dif.add_argument("--records", required=True, metavar="PATH")
    dif.add_argument("--format", choices=("text", "json", "html"), default="text")
    dif.add_argument("--now", metavar="DATETIME")
    dif.add_argument(
        "--fail-on-change", action="store_true", help="exit 1 when any prospect's outcome changes"
    )
    engine_options(dif)
    dif.set_defaults(func=cmd_diff)
    queue = sub.add_parser("queue", help="the error queue across runs")
    queue_sub = queue.add_subparsers(dest="queue_command", metavar="COMMAND", required=True)
    qdiff = queue_sub.add_parser(
        "diff", help="errors that are new, fixed and still failing between two error queues"
    )
    qdiff.add_argument("old", metavar="OLD", help="the earlier error_queue.json")
    qdiff.add_argument("new", metavar="NEW", help="the later error_queue.json")
    qdiff.add_argument("--format", choices=("text", "json", "html"), default="text")
    qdiff.set_defaults(func=cmd_queue_diff)
    comp = sub.add_parser("compile", help="the whole cycle as SQL in a dialect")
    comp.add_argument("rules", nargs="+", metavar="RULES")
    comp.add_argument("--dialect", choices=("duckdb", "spark"), required=True)
    comp.set_defaults(func=cmd_compile)
    for command in [*sub.choices.values(), *queue_sub.choices.values()]:
        # `syncrules check --debug …` as well as `syncrules --debug check …` (and `queue diff
        # … --debug`, a command's own sub-command); SUPPRESS keeps
        # a --debug given before the command from being reset by the command's default
        command.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show tracebacks of internal errors",
        )
    SUBPARSERS.clear()
    SUBPARSERS.update(sub.choices)
    return parser


# import name → the distribution pip installs it from, where the two differ
_DISTRIBUTIONS = {
    "re2": "google-re2",
    "ruamel": "ruamel.yaml",
    "yaml": "PyYAML",
    "pyspark": "syncrules[spark]",
}


def _missing_package(error: ModuleNotFoundError) -> str:
    module = (error.name or str(error)).split(".")[0]
    package = _DISTRIBUTIONS.get(module, module)
    return (
        f"the Python package {package!r} is not installed (import {error.name!r} failed); "
        f"install it into this environment: {sys.executable} -m pip install '{package}'"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """The `syncrules` command. Returns the exit code; never raises."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # before the command started, or while it reported
        return _interrupted()


def _interrupted() -> ExitCode:
    # CPython remembers a KeyboardInterrupt that escaped code run by exec() (dataclasses
    # and namedtuple build their methods so while modules import) and ends the process by
    # SIGINT at exit instead of with our code; the next exec() of a string forgets it
    exec("")
    sys.stderr.write("syncrules: interrupted\n")
    return ExitCode.INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    from engine.deep import call_deep
    from engine.files import InputError

    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported by the command's own parser, with that command's usage
            SUBPARSERS[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exit_:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exit_.code or 0)
    try:
        return int(call_deep(lambda: args.func(args)))
    except (InputError, CannotRun) as error:
        sys.stderr.write(f"syncrules: {error}\n")
        return ExitCode.CANNOT_RUN
    except KeyboardInterrupt:  # stopped at once; nothing new was written (deep.shielded)
        return _interrupted()
    except BrokenPipeError:
        return ExitCode.OK
    except ModuleNotFoundError as error:  # an installation problem, not a bug
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(f"syncrules: {_missing_package(error)}\n")
        return ExitCode.CANNOT_RUN
    except Exception:  # last resort: a bug, reported without a traceback unless asked
        if args.debug:
            traceback.print_exc()
        else:
            sys.stderr.write(
                "syncrules: internal error (a bug in syncrules); run with --debug for details\n"
            )
        return ExitCode.CANNOT_RUN


if __name__ == "__main__":
    sys.exit(main())
