"""Benchmark: Pressroom's publish against pandoc on the same inputs, and at scale.

    python3 benchmarks/run.py [--runs 3] [--jobs N] [--articles 300] [--skip-all-formats]
                              [--only pandoc|scale|preview]

Inputs, generated into a temporary folder: (a) the seed article, (b) a generated document
of about 150 pages (headings, lists, tables, footnotes, images), (c) a tree of 20
generated articles. Each is published cold (empty dist/) and again with nothing changed;
when pandoc is on the PATH the same Markdown goes through pandoc (HTML, EPUB, and PDF with
--pdf-engine=weasyprint) in the same run. Then (d) a tree of 300 generated articles each
with its own photo (2400 x 1600 px JPEG): cold, nothing changed and one article edited,
web pages only and all three formats; (e) `invoke preview` on that tree: seconds from
saving a source to the served page showing the edit (a script edits the file and polls
the page), and the seed's PDF on request; (f) the size of dist/ against the photos'.
Every build runs in its own process, so import time and peak memory (max RSS of that
process) are part of each figure. Prints medians over the runs, ratios and the targets
of issue 12.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import urllib.request

from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parents[1]
SEED = "can-stem-cell-therapy-cure-multiple-sclerosis"
PUBLISH = ("import sys; from pathlib import Path; sys.path.insert(0, {repo!r}); "
           "from pipeline.build.publish import BuildOptions, Project, publish; "
           "o = publish(Project(Path({root!r})), BuildOptions({formats!r}, jobs={jobs}), "
           "report=lambda line: None); sys.exit(0 if o.ok else 1)")
PREVIEW = ("import sys; from pathlib import Path; sys.path.insert(0, {repo!r}); "
           "from pipeline.build.publish import Project; from pipeline.preview import serve; "
           "serve(Project(Path({root!r})), port={port}, log=lambda line: print(line, flush=True))")
ALL_FORMATS = ("html", "pdf", "epub")
PANDOC_FOLDER = "source"  # where pandoc runs (see pandoc_commands)
PHOTO_SIZE = (2400, 1600)  # px: a phone photo exported at a common size


def run(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Seconds, peak resident memory (MB) and CPU seconds (user and system, with the
    processes it waited for: the render pool's) of one command in its own process. The
    CPU seconds hardly change with the load other jobs put on the machine, which the
    seconds do."""
    started = time.perf_counter()
    # pandoc's --pdf-engine=weasyprint runs the `weasyprint` command: the one of this Python.
    path = os.pathsep.join((os.path.dirname(sys.executable), os.environ.get("PATH", "")))
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env={**os.environ, "PATH": path})
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


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


def photo(base: Image.Image, index: int) -> Image.Image:
    """A distinct photo-like picture: the base scene with a mark of its own."""
    image = base.copy()
    draw = ImageDraw.Draw(image)
    x, y = (index * 97) % (image.width - 200), (index * 61) % (image.height - 200)
    draw.ellipse((x, y, x + 180, y + 180), fill=((index * 40) % 255, 90, 160))
    return image


def photo_bases(count: int = 6) -> list[Image.Image]:
    """Scenes with the detail and noise of a photograph (their JPEGs are photo-sized)."""
    bases = []
    for index in range(count):
        small = (PHOTO_SIZE[0] // 4, PHOTO_SIZE[1] // 4)
        left = -2.2 + 0.15 * index
        fractal = Image.effect_mandelbrot(small, (left, -1.1, left + 2.9, 1.1), 80)
        scene = Image.merge("RGB", (fractal, fractal.rotate(180), Image.linear_gradient("L")
                                    .resize(small))).resize(PHOTO_SIZE, Image.Resampling.BICUBIC)
        noise = Image.effect_noise(PHOTO_SIZE, 24).convert("RGB")
        bases.append(Image.blend(scene, noise, 0.18).filter(ImageFilter.GaussianBlur(0.6)))
    return bases


def photo_tree(root: Path, count: int) -> Path:
    """(d): `count` articles, each with two sections and its own photo, and the seed."""
    project(root, {SEED: (REPO / "source" / f"{SEED}.md").read_text(encoding="utf-8")})
    images = root / "source" / "images"
    bases = photo_bases()
    for n in range(1, count + 1):
        photo(bases[n % len(bases)], n).save(images / f"photo-{n:03d}.jpg", quality=92)
        text = (front(f"Generated article {n}") +
                f"![Photo {n}: a scene for the benchmark](images/photo-{n:03d}.jpg)\n\n" +
                section(1) + section(2))
        (root / "source" / f"article-{n:03d}.md").write_text(text, encoding="utf-8")
    return root


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def edit_one(root: Path, count: int, number: int) -> Path:
    source = root / "source" / f"article-{min(count, 150):03d}.md"
    source.write_text(source.read_text(encoding="utf-8") +
                      f"\nAn edit for run {number}.\n", encoding="utf-8")
    return source


def scale_figures(root: Path, count: int, formats: tuple[str, ...], jobs: int,
                  runs: int) -> dict:
    """Cold, nothing changed and one edited, medians over `runs`, and dist/'s size."""
    publish = [sys.executable, "-c", PUBLISH.format(repo=str(REPO), root=str(root), jobs=jobs,
                                                      formats=formats)]
    cold, unchanged, edited, memory = [], [], [], []
    for number in range(runs):
        shutil.rmtree(root / "dist", ignore_errors=True)
        shutil.rmtree(root / ".cache", ignore_errors=True)  # cold: no cached variants either
        seconds, rss, _ = run(publish, root)
        cold.append(seconds)
        memory.append(rss)
        unchanged.append(run(publish, root)[0])
        edit_one(root, count, number)
        edited.append(run(publish, root)[0])
    return {"cold": statistics.median(cold), "unchanged": statistics.median(unchanged),
            "edited": statistics.median(edited), "memory": max(memory),
            "dist": folder_size(root / "dist")}


def preview_latency(root: Path, count: int, runs: int) -> dict:
    """(e): start `invoke preview`'s server on the tree, then save an edit to one article
    and poll its served page until the edit shows; and ask for the seed's PDF."""
    port = 8765
    server = subprocess.Popen([sys.executable, "-c", PREVIEW.format(repo=str(REPO),
                                                                    root=str(root), port=port)],
                              cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        for line in server.stdout:  # the first build, then the server's address
            if line.startswith("serving"):
                break
        slug = f"article-{min(count, 150):03d}"
        url = f"http://127.0.0.1:{port}/{slug}/"
        latencies = []
        for number in range(max(runs, 5)):
            marker = f"Saved edit {number} {time.time()}"
            source = root / "source" / f"{slug}.md"
            text = source.read_text(encoding="utf-8")
            started = time.perf_counter()
            source.write_text(text + f"\n{marker}\n", encoding="utf-8")
            while marker.encode() not in _get(url):
                if time.perf_counter() - started > 60:
                    raise SystemExit("preview: the edit never showed")
                time.sleep(0.01)
            latencies.append(time.perf_counter() - started)
            time.sleep(0.5)
        started = time.perf_counter()
        pdf = _get(f"http://127.0.0.1:{port}/{SEED}/{SEED}.pdf")
        pdf_seconds = time.perf_counter() - started
        assert pdf.startswith(b"%PDF")
    finally:
        server.terminate()
        server.wait()
    return {"reload": statistics.median(latencies), "worst": max(latencies), "pdf": pdf_seconds}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def pandoc_commands(root: Path) -> list[list[list[str]]]:
    """Per source, the three pandoc commands (HTML, EPUB, PDF), finding the images where
    the sources say they are (without --resource-path pandoc leaves them out of the EPUB,
    with a warning, and is faster for it). They run in source/ (PANDOC_FOLDER): the
    WeasyPrint that makes pandoc's PDF looks for the images from the working folder, not
    from --resource-path, and left every one of them out (with an error) when run from
    the project's root."""
    out = root / "pandoc-out"
    out.mkdir(exist_ok=True)
    commands = []
    images = f"--resource-path={root / 'source'}"
    for source in sorted((root / "source").glob("*.md")):
        stem = out / source.stem
        commands.append([["pandoc", "-s", str(source), "-o", f"{stem}.html"],
                         ["pandoc", images, str(source), "-o", f"{stem}.epub"],
                         ["pandoc", images, str(source), "--pdf-engine=weasyprint", "-o",
                          f"{stem}.pdf"]])
    return commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--articles", type=int, default=300, help="articles of tree (d)")
    parser.add_argument("--skip-all-formats", action="store_true",
                        help="(d) with web pages only (all three formats take minutes)")
    parser.add_argument("--only", choices=("pandoc", "scale", "preview"),
                        help="run one part only (preview: (e) alone, on tree (d))")
    args = parser.parse_args()
    pandoc = shutil.which("pandoc")
    rows = []
    with tempfile.TemporaryDirectory(prefix="pressroom-bench-") as scratch:
        for name, root in (inputs(Path(scratch)).items() if args.only in (None, "pandoc")
                           else ()):
            publish = [sys.executable, "-c", PUBLISH.format(repo=str(REPO), root=str(root),
                                                              jobs=args.jobs,
                                                              formats=ALL_FORMATS)]
            cold, warm, memory, cpu = [], [], [], []
            for _ in range(args.runs):
                shutil.rmtree(root / "dist", ignore_errors=True)
                shutil.rmtree(root / ".cache", ignore_errors=True)
                seconds, rss, cpu_seconds = run(publish, root)
                cold.append(seconds)
                memory.append(rss)
                cpu.append(cpu_seconds)
                warm.append(run(publish, root)[0])
            pandoc_time = pandoc_cpu = None
            if pandoc:
                times, cpus = [], []
                for _ in range(args.runs):
                    total = total_cpu = 0.0
                    for per_source in pandoc_commands(root):
                        for command in per_source:
                            seconds, _, cpu_seconds = run(command, root / PANDOC_FOLDER)
                            total += seconds
                            total_cpu += cpu_seconds
                    times.append(total)
                    cpus.append(total_cpu)
                pandoc_time, pandoc_cpu = statistics.median(times), statistics.median(cpus)
            rows.append((name, statistics.median(cold), statistics.median(warm), max(memory),
                         pandoc_time, statistics.median(cpu), pandoc_cpu))
        scale = {}
        if args.only != "pandoc":
            tree = photo_tree(Path(scratch) / "d-photos", args.articles)
            photos = folder_size(tree / "source" / "images")
            if args.only != "preview":
                scale["web"] = scale_figures(tree, args.articles, ("html",), args.jobs,
                                             args.runs)
            else:  # the web pages built first, as (d) leaves them for (e)
                run([sys.executable, "-c", PUBLISH.format(repo=str(REPO), root=str(tree),
                                                          jobs=args.jobs, formats=("html",))],
                    tree)
            scale["preview"] = preview_latency(tree, args.articles, args.runs)
            if not args.skip_all_formats and args.only != "preview":
                scale["all"] = scale_figures(tree, args.articles, ALL_FORMATS, args.jobs,
                                             args.runs)
    if rows:
        print(f"{'input':<8} {'cold s':>8} {'unchanged s':>12} {'unchanged/cold':>15} "
              f"{'peak MB':>8} {'pandoc s':>9} {'ratio':>6} {'cold CPU s':>11} "
              f"{'pandoc CPU s':>13} {'CPU ratio':>10}")
        for name, cold, warm, memory, pandoc_time, cpu, pandoc_cpu in rows:
            ratio = f"{cold / pandoc_time:.2f}" if pandoc_time else "-"
            cpu_ratio = f"{cpu / pandoc_cpu:.2f}" if pandoc_cpu else "-"
            print(f"{name:<8} {cold:>8.2f} {warm:>12.2f} {warm / cold:>15.2f} {memory:>8.0f} "
                  f"{pandoc_time if pandoc_time else float('nan'):>9.2f} {ratio:>6} "
                  f"{cpu:>11.2f} {pandoc_cpu if pandoc_cpu else float('nan'):>13.2f} "
                  f"{cpu_ratio:>10}")
        print("\ntargets: a <= 1.3 of pandoc; b <= 1.0; c <= 0.3; peak < 400 MB" +
              ("" if pandoc else "\n(pandoc is not on the PATH: no ratios; "
                                 "apt-get install pandoc to compare)"))
    if scale:
        print(f"\n(d) {args.articles} articles, each with a {PHOTO_SIZE[0]} x {PHOTO_SIZE[1]} "
              f"photo ({photos / 1e6:.0f} MB of photos in source/), and the seed; "
              f"--jobs {args.jobs}")
        print(f"{'formats':<8} {'cold s':>8} {'unchanged s':>12} {'/cold':>6} {'one edited s':>13}"
              f" {'/cold':>6} {'peak MB':>8} {'dist/ MB':>9}")
        for name in ("web", "all"):
            if name in scale:
                f = scale[name]
                print(f"{name:<8} {f['cold']:>8.2f} {f['unchanged']:>12.2f} "
                      f"{f['unchanged'] / f['cold']:>6.3f} {f['edited']:>13.2f} "
                      f"{f['edited'] / f['cold']:>6.3f} {f['memory']:>8.0f} "
                      f"{f['dist'] / 1e6:>9.1f}")
        p = scale["preview"]
        print(f"(e) preview: save -> page shows the edit: median {p['reload']:.2f} s, worst "
              f"{p['worst']:.2f} s; a PDF on request {p['pdf']:.2f} s")
        print("targets: unchanged <= 0.05 of cold, one edited <= 0.10; preview reload <= 0.3 s; "
              "PDF on request <= 1.5 s; peak < 400 MB")
        print(json.dumps(scale))


if __name__ == "__main__":
    main()
