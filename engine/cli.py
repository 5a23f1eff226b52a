"""argv → api → renderer → exit code. No sync, check or formatting logic lives here.

argparse (stdlib) rather than a CLI framework: it starts in a millisecond, and `check`
must start fast enough to run on every commit.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from enum import IntEnum

from engine import __version__


class ExitCode(IntEnum):
    """SPEC §4."""

    OK = 0
    FINDINGS = 1
    CANNOT_RUN = 2


def _colour(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# -- commands --------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> ExitCode:
    from engine import api
    from engine.render import diagnostics_json, text

    rules = api.check(args.rules)
    found = rules.diagnostics
    if args.format == "json":
        _write(diagnostics_json.render(found))
    else:
        _write(text.diagnostics(found, rules.sources, _colour(sys.stdout)))
    return ExitCode.FINDINGS if found else ExitCode.OK


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
    if args.depends:
        roots = graph.resolve(args.depends)
        if not roots:
            raise CannotRun(f'--depends: nothing in the rule set is called "{args.depends}"')
        dependents = graph.dependents(roots)
        if args.format == "text":
            lines = [f"{', '.join(roots)} is read by:"]
            lines += [f"  {n}" for n in dependents] or ["  nothing"]
            _write("\n".join(lines) + "\n")
            return ExitCode.OK
        only = [*roots, *dependents]
    view = graph.view(only)
    renderers: dict[str, Callable[[object], str]] = {
        "dot": render_graph.dot,  # type: ignore[dict-item]
        "mermaid": render_graph.mermaid,  # type: ignore[dict-item]
        "json": render_graph.as_json,  # type: ignore[dict-item]
        "text": render_graph.order_text,  # type: ignore[dict-item]
    }
    _write(renderers[args.format](view))
    return ExitCode.OK


# -- parser ----------------------------------------------------------------------------


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
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(func=cmd_check)

    graph = sub.add_parser("graph", help="print the evaluation graph")
    graph.add_argument("rules", nargs="+", metavar="RULES")
    graph.add_argument(
        "--format", choices=("dot", "mermaid", "json", "text"), default="dot",
        help="dot (Graphviz), mermaid, json, or text (evaluation order)",
    )
    graph.add_argument(
        "--depends", metavar="NAME",
        help="only what reads NAME (a field such as lead.Country or score, or a stage)",
    )
    graph.set_defaults(func=cmd_graph)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The `syncrules` command. Returns the exit code; never raises."""
    from engine.deep import call_deep
    from engine.files import InputError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exit_.code or 0)
    try:
        return int(call_deep(lambda: args.func(args)))
    except (InputError, CannotRun) as error:
        sys.stderr.write(f"syncrules: {error}\n")
        return ExitCode.CANNOT_RUN
    except KeyboardInterrupt:
        sys.stderr.write("syncrules: interrupted\n")
        return ExitCode.CANNOT_RUN
    except BrokenPipeError:
        return ExitCode.OK
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
