"""Command line: ``python -m burgerbegroting.counting FILE.pb [--rule RULE] [--json] [--explain ID]``.

Exit codes: 0 ok, 2 bad file / unknown rule / unknown project / bad option.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .pabulib import PabulibError, read_pb
from .render import render_explanation, render_text
from .rules import RULES, UnknownRuleError, count


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m burgerbegroting.counting",
        description="Count a participatory budgeting vote from a Pabulib .pb file.",
    )
    ap.add_argument("file", help="Pabulib .pb file")
    ap.add_argument("--rule", default="pabulib",
                    help="pabulib (the rule in the file's META, default) or one of: " + ", ".join(RULES))
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--explain", metavar="ID", help="print the story of one project")
    ap.add_argument("--tie-break", choices=("cost", "file", "id"),
                    help="greedy ties: cost (default), file (PROJECTS order) or id")
    ap.add_argument("--threshold", help="greedy-threshold: minimum score (default: from META)")
    args = ap.parse_args(argv)
    try:
        election = read_pb(args.file)
    except PabulibError as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    options: dict[str, object] = {}
    if args.tie_break:
        options["tie_break"] = args.tie_break
    if args.threshold is not None:
        options["threshold"] = args.threshold
    try:
        outcome = count(election, args.rule, **options)
    except UnknownRuleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (TypeError, ValueError, ArithmeticError) as exc:
        print(f"error: rule {args.rule!r}: {exc}", file=sys.stderr)
        return 2
    if args.explain is not None and args.explain not in outcome.explanations:
        print(f"error: project {args.explain!r} is not in {args.file}", file=sys.stderr)
        return 2
    if args.json:
        data = outcome.to_dict()
        if args.explain is not None:
            data["explain"] = outcome.explanations[args.explain].to_dict()
        print(json.dumps(data, ensure_ascii=False))
    elif args.explain is not None:
        print(render_explanation(outcome, election, args.explain), end="")
    else:
        print(render_text(outcome, election), end="")
    return 0


def _run() -> int:
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (``... | head``): stop quietly, like other command-line tools
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":
    sys.exit(_run())
