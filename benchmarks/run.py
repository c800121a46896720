"""Benchmark: Pressroom's publish against pandoc on the same inputs.

    python3 benchmarks/run.py [--runs 3] [--jobs N]

Inputs, generated into a temporary folder: (a) the seed article, (b) a generated document
of about 150 pages (headings, lists, tables, footnotes, images), (c) a tree of 20
generated articles. Each is published cold (empty dist/) and again with nothing changed;
when pandoc is on the PATH the same Markdown goes through pandoc (HTML, EPUB, and PDF with
--pdf-engine=weasyprint) in the same run. Every command runs in its own process, so
import time and peak memory (max RSS of that process) are part of each figure. Prints
medians over the runs, the ratios to pandoc and the targets of issue 5.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SEED = "can-stem-cell-therapy-cure-multiple-sclerosis"
PUBLISH = ("import sys; from pathlib import Path; sys.path.insert(0, {repo!r}); "
           "from pipeline.build.publish import Project, publish; "
           "o = publish(Project(Path({root!r})), jobs={jobs}, report=lambda line: None); "
           "sys.exit(0 if o.ok else 1)")


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one command in its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def project(root: Path, sources: dict[str, str]) -> Path:
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(REPO / "themes", root / "themes")
    for path in (root / "source").glob("*.md"):
        path.unlink()
    images = root / "source" / "images"
    for index, colour in enumerate(((10, 85, 102), (140, 58, 16), (40, 120, 60))):
        Image.new("RGB", (900, 500), colour).save(images / f"figure-{index}.png")
    for slug, text in sources.items():
        (root / "source" / f"{slug}.md").write_text(text, encoding="utf-8")
    return root


def front(title: str) -> str:
    return (f"---\ntitle: {title}\ndescription: A generated document for the benchmark.\n"
            "date: 2026-01-01\nauthors: [becky-palmer]\n---\n\n")


def section(number: int) -> str:
    rows = "\n".join(f"| Item {number}.{i} | {i * 3} | Plain words describe row {i}. |"
                     for i in range(1, 9))
    return f"""## Section {number}

Patients and families often ask what to expect. This paragraph explains it in plain
words, with short sentences, as patient material should.[^n{number}] It goes on for a
while so that the page fills the way a real guide does, and it mentions that the care
team can answer questions about any of it.

- A first point to remember about section {number}.
- A second point, with a little more detail to read.
  - A nested point under the second one.
- A third point.

| Item | Value | Note |
|---|---|---|
{rows}

![Figure for section {number}](images/figure-{number % 3}.png)

### Details of section {number}

1. The first step, described in a sentence.
2. The second step, also described.
3. The third step, which ends the list.

Another paragraph closes the section with a reminder to talk to the care team before
changing anything in a treatment plan.

[^n{number}]: A source for section {number}: <https://www.example.org/{number}>.
"""


def inputs(base: Path) -> dict[str, Path]:
    seed_text = (REPO / "source" / f"{SEED}.md").read_text(encoding="utf-8")
    long_text = front("A generated guide of about 150 pages") + "".join(
        section(n) for n in range(1, 61))
    tree = {f"article-{n:02d}": front(f"Generated article {n}") + section(1) + section(2)
            for n in range(1, 21)}
    return {
        "a-seed": project(base / "a-seed", {SEED: seed_text}),
        "b-long": project(base / "b-long", {"long-guide": long_text}),
        "c-tree": project(base / "c-tree", tree),
    }


def pandoc_commands(root: Path) -> list[list[list[str]]]:
    """Per source, the three pandoc commands (HTML, EPUB, PDF)."""
    out = root / "pandoc-out"
    out.mkdir(exist_ok=True)
    commands = []
    for source in sorted((root / "source").glob("*.md")):
        stem = out / source.stem
        commands.append([["pandoc", "-s", str(source), "-o", f"{stem}.html"],
                         ["pandoc", str(source), "-o", f"{stem}.epub"],
                         ["pandoc", str(source), "--pdf-engine=weasyprint", "-o",
                          f"{stem}.pdf"]])
    return commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    pandoc = shutil.which("pandoc")
    rows = []
    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as scratch:
        for name, root in inputs(Path(scratch)).items():
            publish = [sys.executable, "-c",
                       PUBLISH.format(repo=str(REPO), root=str(root), jobs=args.jobs)]
            cold, warm, memory = [], [], []
            for _ in range(args.runs):
                shutil.rmtree(root / "dist", ignore_errors=True)
                seconds, rss = run(publish, root)
                cold.append(seconds)
                memory.append(rss)
                warm.append(run(publish, root)[0])
            pandoc_time = None
            if pandoc:
                times = []
                for _ in range(args.runs):
                    total = 0.0
                    for per_source in pandoc_commands(root):
                        for command in per_source:
                            total += run(command, root)[0]
                    times.append(total)
                pandoc_time = statistics.median(times)
            rows.append((name, statistics.median(cold), statistics.median(warm), max(memory),
                         pandoc_time))
    print(f"{'input':<8} {'cold s':>8} {'unchanged s':>12} {'unchanged/cold':>15} "
          f"{'peak MB':>8} {'pandoc s':>9} {'ratio':>6}")
    for name, cold, warm, memory, pandoc_time in rows:
        ratio = f"{cold / pandoc_time:.2f}" if pandoc_time else "-"
        print(f"{name:<8} {cold:>8.2f} {warm:>12.2f} {warm / cold:>15.2f} {memory:>8.0f} "
              f"{pandoc_time if pandoc_time else float('nan'):>9.2f} {ratio:>6}")
    print("\ntargets: a, b <= 0.8 of pandoc; c <= 0.3 of pandoc; unchanged <= 0.1 of cold; "
          "b peak < 400 MB" + ("" if pandoc else "\n(pandoc is not on the PATH: no ratios; "
                                              "apt-get install pandoc to compare)"))


if __name__ == "__main__":
    main()
