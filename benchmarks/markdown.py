"""Benchmark: how much of our Markdown renders as GitHub renders it, per feature and dialect.

    python3 benchmarks/markdown.py [--dialect commonmark|python-markdown] [--feature NAME]
                                   [--no-diffs]

Publishes every example of tests/conformance/ through Pressroom's reader (read_document,
in a temporary project) and compares it with GitHub's reference renderer cmark-gfm after
normalising both (tests/conformance_suite.py, the comparison tests/test_conformance.py
makes). Prints, for each dialect, matched/total and the share per feature and overall,
then each differing example with a short diff (- cmark-gfm, + Pressroom). The goal of
issue 10: at least 95% overall and every list example on the default dialect.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# This file's folder leaves the path: its name would hide the Python-Markdown package.
sys.path = [str(REPO), str(REPO / "tests")] + [
    entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

from conformance_suite import DIALECTS, Outcome, Reader, compare, load_examples  # noqa: E402

from pipeline.diagnostics import InvalidInput  # noqa: E402


def dialect_known(reader: Reader, dialect: str) -> bool:
    """Whether the reader accepts `markdown: <dialect>` in front matter."""
    try:
        reader.html("A paragraph.\n", DIALECTS[dialect])
    except InvalidInput as refused:
        if any("'markdown'" in problem.message for problem in refused.problems):
            return False
        raise
    return True


def table(outcomes: list[Outcome]) -> list[str]:
    total: collections.Counter = collections.Counter()
    matched: collections.Counter = collections.Counter()
    for outcome in outcomes:
        total[outcome.example.feature] += 1
        matched[outcome.example.feature] += outcome.matches
    width = max(len("lists (all lists-*)"), *(len(feature) for feature in total))
    lines = [f"  {feature:<{width}}  {matched[feature]:>3}/{total[feature]:<3}"
             f"  {matched[feature] / total[feature]:>6.1%}" for feature in sorted(total)]
    lists = [o for o in outcomes if o.example.is_list]
    all_matched = sum(matched.values())
    lines.append(f"  {'lists (all lists-*)':<{width}}  {sum(o.matches for o in lists):>3}/"
                 f"{len(lists):<3}  {sum(o.matches for o in lists) / max(len(lists), 1):>6.1%}")
    lines.append(f"  {'overall':<{width}}  {all_matched:>3}/{len(outcomes):<3}"
                 f"  {all_matched / len(outcomes):>6.1%}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dialect", choices=list(DIALECTS), action="append",
                        help="measure this dialect only (repeatable; default: both)")
    parser.add_argument("--feature", help="measure the examples of this data file only")
    parser.add_argument("--no-diffs", action="store_true", help="print the figures only")
    options = parser.parse_args()
    examples = [example for example in load_examples()
                if options.feature in (None, example.feature)]
    if not examples:
        parser.error(f"no examples for feature {options.feature!r}")
    with tempfile.TemporaryDirectory(prefix="pressroom-markdown-") as folder:
        reader = Reader(Path(folder) / "project")
        for dialect in options.dialect or list(DIALECTS):
            print(f"\n== dialect {dialect} ({len(examples)} examples, compared with cmark-gfm)")
            if not dialect_known(reader, dialect):
                print("  not available: the reader does not know the front matter field "
                      "'markdown' yet, so the default dialect is the only one")
                continue
            outcomes = [compare(example, reader, DIALECTS[dialect]) for example in examples]
            print("\n".join(table(outcomes)))
            differing = [outcome for outcome in outcomes if not outcome.matches]
            if differing and not options.no_diffs:
                print(f"\n  differing examples ({len(differing)}):")
                for outcome in differing:
                    print(f"\n  --- {outcome.example.id}")
                    print("\n".join("    " + line for line in outcome.diff().splitlines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
