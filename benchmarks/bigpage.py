"""Benchmark: big pages. Time and peak memory of publishing one generated Markdown source
of 0.25 MB up to 10 MB (the limit), to see how both grow with its size: the web page and
the EPUB together, and the PDF on its own, side by side.

    .venv/bin/python benchmarks/bigpage.py [--sizes 0.25,0.5,1,2,5,10] [--pdf-up-to 2]

Each page is what real big pages are: a long resources table (organisation, what it
offers, a link, a phone number; a tenth of the page) between sections of prose with
headings, lists, links and footnotes. Each size and each side is published cold, in its
own process, so the seconds and the peak memory (max RSS of that process) are the whole
cost. Prints a row per size with, for each side, seconds, CPU seconds, peak MB and both
per MB of Markdown: flat per-MB figures (falling ones, for the fixed cost of starting)
mean linear growth. The PDF is measured up to --pdf-up-to MB only. From about 0.6 MB
(2,000 top-level blocks, pipeline/render/pdf_parts.py) its body is laid out in parts of
1,000 blocks, each written and freed before the next, and merged. Timings are never
asserted in the tests.
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
           "from pipeline.build.publish import publish; "
           "from pipeline.build.project import BuildOptions, Project; "
           "o = publish(Project(Path({root!r})), BuildOptions({formats!r}, jobs=1), "
           "report=lambda line: None); "
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
    parser.add_argument("--sizes", default="0.25,0.5,1,2,5,10",
                        help="MB of Markdown, comma-separated")
    parser.add_argument("--pdf-up-to", type=float, default=2.0,
                        help="measure the PDF only for sizes up to this many MB")
    args = parser.parse_args()
    sizes = [float(size) for size in args.sizes.split(",")]
    sides = {"web page + EPUB": ("html", "epub"), "PDF": ("pdf",)}
    print(f"{'':>8} " + " ".join(f"{name:^50}" for name in sides))
    print(f"{'MB':>8} " + " ".join(f"{'seconds':>9} {'CPU s':>8} {'peak MB':>8} "
                                   f"{'CPU s/MB':>9} {'peak MB/MB':>11}" for _ in sides))
    with tempfile.TemporaryDirectory(prefix="pressroom-bigpage-") as work:
        for size in sizes:
            root = Path(work) / f"{size:g}mb"
            shutil.copytree(REPO / "source", root / "source")
            shutil.copytree(REPO / "themes", root / "themes")
            for path in (root / "source").glob("*.md"):
                path.unlink()
            text = page(int(size * 1024 * 1024))
            (root / "source" / "big.md").write_text(text, encoding="utf-8")
            actual = len(text.encode("utf-8")) / 1024 / 1024
            cells = []
            for formats in sides.values():
                if formats == ("pdf",) and size > args.pdf_up_to:
                    cells.append(f"{'-':>9} {'-':>8} {'-':>8} {'-':>9} {'-':>11}")
                    continue
                seconds, cpu, peak = publish_once(root, formats)
                cells.append(f"{seconds:>9.1f} {cpu:>8.1f} {peak:>8.0f} {cpu / actual:>9.1f} "
                             f"{peak / actual:>11.0f}")
            print(f"{actual:>8.2f} " + " ".join(cells), flush=True)
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
