"""Benchmark: big pages. Time and peak memory of publishing one generated Markdown source
of 1, 2.5, 5 and 10 MB (the limit is 10 MB), to see that both grow linearly with its size.

    .venv/bin/python benchmarks/bigpage.py [--sizes 1,2.5,5,10] [--formats html,pdf,epub]

Each page is what real big pages are: a long resources table (organisation, what it
offers, a link, a phone number; a tenth of the page) between sections of prose with
headings, lists, links and footnotes. Each size is published cold, in its own process, so
the seconds and the peak memory (max RSS of that process) are the whole cost. Prints a
row per size and, for each, CPU seconds and peak MB per MB of Markdown: flat figures
(falling ones, for the fixed cost of starting) mean linear growth. Timings are never asserted in the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PUBLISH = ("import sys; from pathlib import Path; sys.path.insert(0, {repo!r}); "
           "from pipeline.build.publish import Project, publish; "
           "o = publish(Project(Path({root!r})), {formats!r}, jobs=1, report=lambda line: None); "
           "print('\\n'.join(map(str, o.problems)), file=sys.stderr); "
           "sys.exit(0 if o.ok else 1)")
FRONT = """---
title: Support and resources for people with MS
description: Organisations, helplines and services for people living with multiple sclerosis.
date: 2026-03-04
authors: [becky-palmer]
---

"""
PROSE = """## Living well, part {n}

Multiple sclerosis affects each person differently, and what helps one person may not help
another. Talk with your care team before you change a treatment.[^n{n}] Many people find that
regular exercise, rest and a balanced diet help them manage **fatigue** and *mood*.

- Keep a diary of symptoms, so you can see what changes over time.
- Ask your nurse about [local services](https://www.example.org/services/{n}) near you.
- Bring a list of questions to every appointment.

Section {n} ends here. Support is available, and you do not have to manage alone.

[^n{n}]: National guidance on the management of MS, section {n}.

"""
TABLE_HEAD = """## Organisations and contacts, part {n}

| Organisation | What it offers | Web site | Phone |
|---|---|---|---|
"""
ROW = ("| Support group {n}-{i} | Peer support, advice on benefits and work, and a helpline "
       "for families | [example.org/{n}/{i}](https://www.example.org/{n}/{i}) | 0800 {i:03d} {n:04d} |\n")


def page(size_bytes: int) -> str:
    """Generated Markdown of at most `size_bytes` (within a section of it): prose sections,
    and every tenth section a resources table of 40 rows."""
    parts, size, n = [FRONT], len(FRONT), 0
    while True:
        n += 1
        chunk = PROSE.format(n=n)
        if n % 10 == 0:
            chunk += TABLE_HEAD.format(n=n) + "".join(ROW.format(n=n, i=i) for i in range(40))
            chunk += "\n"
        if size + len(chunk.encode("utf-8")) > size_bytes:
            return "".join(parts)
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))


def publish_once(root: Path, formats: tuple[str, ...]) -> tuple[float, float, float]:
    """Seconds (wall clock and CPU) and peak resident memory (MB) of one cold publish in
    its own process. CPU seconds are the steadier figure on a shared machine."""
    shutil.rmtree(root / "dist", ignore_errors=True)
    command = [sys.executable, "-c", PUBLISH.format(repo=str(REPO), root=str(root),
                                                    formats=formats)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"publishing failed:\n{process.stderr.read().decode()[-3000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,2.5,5,10", help="MB of Markdown, comma-separated")
    parser.add_argument("--formats", default="html,pdf,epub", help="formats to publish")
    args = parser.parse_args()
    sizes = [float(size) for size in args.sizes.split(",")]
    formats = tuple(args.formats.split(","))
    print(f"formats: {', '.join(formats)}")
    print(f"{'MB of Markdown':>14} {'seconds':>9} {'CPU s':>9} {'peak MB':>9} "
          f"{'CPU s per MB':>13} {'peak MB per MB':>15}")
    with tempfile.TemporaryDirectory(prefix="pressroom-bigpage-") as work:
        for size in sizes:
            root = Path(work) / f"{size:g}mb"
            shutil.copytree(REPO / "source", root / "source")
            shutil.copytree(REPO / "themes", root / "themes")
            for path in (root / "source").glob("*.md"):
                path.unlink()
            text = page(int(size * 1024 * 1024))
            (root / "source" / "big.md").write_text(text, encoding="utf-8")
            seconds, cpu, peak = publish_once(root, formats)
            actual = len(text.encode("utf-8")) / 1024 / 1024
            print(f"{actual:>14.2f} {seconds:>9.1f} {cpu:>9.1f} {peak:>9.0f} "
                  f"{cpu / actual:>13.1f} {peak / actual:>15.0f}", flush=True)
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
