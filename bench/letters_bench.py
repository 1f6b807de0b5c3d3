"""Letters per second: the project's rendering path against WeasyPrint's default path, then a batch of
letters through a real 2-process Celery prefork worker on Redis. Figures go to docs/PERFORMANCE.md.

    .venv/bin/python bench/letters_bench.py                  # everything: ~20 minutes on 2 cores
    .venv/bin/python bench/letters_bench.py --pool-letters 0 # single-process comparison only

Single process: the two-page partly accepted decision letter of demo.letter_samples, rendered
- the project's way: ``render_letter_pdf`` (template, checks, pre-subset Kartosfera Sans, font
  configuration and parsed stylesheet shared by every render);
- WeasyPrint's default way: the same HTML (also rendered from the snapshot each time), the same
  stylesheet naming the system DejaVu Sans instead, parsed on each render, a new font configuration
  on each render, default options; the same PDF/A variant, as the letter must be PDF/A either way.
Rounds alternate the two paths so that a change in the machine's load affects both alike; the
figures are medians over the rounds, in wall time and in CPU time of this process (the machine is
shared: CPU time is the steadier figure).

WeasyPrint subsets embedded fonts with HarfBuzz when libharfbuzz-subset is installed and with
fontTools otherwise (fresh machines of this project: fontTools). When HarfBuzz is present, the
comparison is also run with it switched off in this process, so both conditions are reported.

Pool: N letters (default 10,000) in chunks, as ``letters.tasks.render_batch_chunk`` tasks, to a
Celery worker started here with ``--pool=prefork --concurrency=2`` on Redis (127.0.0.1:6379, db 14);
wall time from the first task sent to the last result, letters written to var/bench-letters/ and
checked, and the largest resident memory of a worker process.
"""

import argparse
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BROKER = os.environ.get("BENCH_LETTERS_BROKER", "redis://127.0.0.1:6379/14")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12, help="alternating rounds (default 12)")
    parser.add_argument("--per-round", type=int, default=5, help="letters per path per round (default 5)")
    parser.add_argument("--pool-letters", type=int, default=10_000, help="letters for the pool run (0: skip)")
    parser.add_argument("--chunk", type=int, default=50, help="letters per Celery task (default 50)")
    parser.add_argument("--keep-files", action="store_true", help="keep the pool run's PDF files")
    parser.add_argument("--pool-only", action="store_true", help="skip the single-process comparison")
    parser.add_argument(
        "--scale-letters", type=int, default=600, help="letters per run of the 1-and-2-process run (0: skip)"
    )
    parser.add_argument("--scale-type", default="CLAIM_ACKNOWLEDGEMENT", help="letter type of that run")
    parser.add_argument("--scale-only", action="store_true", help="only the 1-and-2-process run")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.pool_letters or ARGS.scale_letters:
    # The pool run needs this process to send tasks to the worker's broker, not run them eagerly.
    os.environ["CELERY_BROKER_URL"] = BROKER
    os.environ["CELERY_RESULT_BACKEND"] = BROKER
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kartosfera.settings")

from benchdb import scratch_audit_anchors  # noqa: E402

scratch_audit_anchors()

import django  # noqa: E402

django.setup()

import fontTools  # noqa: E402
import weasyprint  # noqa: E402
import weasyprint.pdf.fonts as weasyprint_fonts  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402

from demo.letter_samples import sample_snapshot  # noqa: E402
from letters.rendering import PDF_OPTIONS, html_to_pdf, render_letter_html, render_letter_pdf  # noqa: E402
from letters.rules import LetterType  # noqa: E402
from letters.versioning import STYLESHEET  # noqa: E402

LETTER = LetterType.DECISION_PARTIALLY_ACCEPTED
SNAPSHOT = sample_snapshot(LETTER)
DEFAULT_CSS = re.sub(r"@font-face\s*{[^}]*}", "", STYLESHEET.read_text()).replace(
    '"Kartosfera Sans", "DejaVu Sans", sans-serif', '"DejaVu Sans"'
)


def project_path() -> bytes:
    return render_letter_pdf(letter_type=LETTER, snapshot=SNAPSHOT).pdf_bytes


def default_path() -> bytes:
    html = render_letter_html(letter_type=LETTER, snapshot=SNAPSHOT)
    return HTML(string=html).write_pdf(
        stylesheets=[CSS(string=DEFAULT_CSS)], pdf_variant=PDF_OPTIONS["pdf_variant"]
    )


def machine() -> None:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    print(f"machine: nproc {os.cpu_count()}, CPU {model}, Python {platform.python_version()}")
    print(f"WeasyPrint {weasyprint.__version__}, fontTools {fontTools.version}, subsetter: {subsetter()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def subsetter() -> str:
    return "HarfBuzz-subset" if weasyprint_fonts.harfbuzz_subset else "fontTools (no libharfbuzz-subset)"


def compare(title: str) -> None:
    """Alternate the two paths; print letters/s (wall), CPU ms a letter, and the ratio."""
    pages = {"project": project_path, "default": default_path}
    for name, path in pages.items():
        data = path()  # warm up: imports, caches, the engine
        print(f"  {name:8s} PDF {len(data):,} bytes")
    assert render_letter_pdf(letter_type=LETTER, snapshot=SNAPSHOT).page_count == 2, (
        "the letter must be two pages"
    )
    wall: dict[str, list[float]] = {name: [] for name in pages}
    cpu: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(ARGS.rounds):
        for name, path in pages.items():
            started_wall, started_cpu = time.perf_counter(), time.process_time()
            for _ in range(ARGS.per_round):
                path()
            wall[name].append((time.perf_counter() - started_wall) / ARGS.per_round)
            cpu[name].append((time.process_time() - started_cpu) / ARGS.per_round)
    print(f"{title}: {ARGS.rounds} rounds x {ARGS.per_round} letters per path, subsetter {subsetter()}")
    for name in pages:
        print(
            f"  {name:8s} {1 / statistics.median(wall[name]):6.2f} letters/s (wall)   "
            f"{statistics.median(cpu[name]) * 1000:6.1f} ms CPU a letter"
        )
    wall_ratio = statistics.median(wall["default"]) / statistics.median(wall["project"])
    cpu_ratio = statistics.median(cpu["default"]) / statistics.median(cpu["project"])
    print(f"  ratio project/default: {wall_ratio:.2f}x (wall), {cpu_ratio:.2f}x (CPU)")


def options() -> None:
    """What WeasyPrint's options do to the project path: CPU a letter and PDF size."""
    html = render_letter_html(letter_type=LETTER, snapshot=SNAPSHOT)
    variants = {
        "project (defaults)": {},
        "full_fonts=True": {"full_fonts": True},
        "hinting=True": {"hinting": True},
        "uncompressed_pdf=True": {"uncompressed_pdf": True},
        "optimize_images=True": {"optimize_images": True},
    }
    print(f"options, project path, subsetter {subsetter()}:")
    for name, overrides in variants.items():
        html_to_pdf(html, **overrides)
        samples = []
        for _ in range(max(3, ARGS.rounds // 2)):
            started = time.process_time()
            data, _ = html_to_pdf(html, **overrides)
            samples.append(time.process_time() - started)
        print(f"  {name:24s} {statistics.median(samples) * 1000:6.1f} ms CPU   {len(data):8,} bytes")


def worker_processes(root_pid: int) -> dict[int, tuple[float, int]]:
    """The worker and its child processes: pid → (CPU seconds used so far, resident memory in KiB)."""
    found = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            stat = (status.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(status.parent.name)
        parent = re.search(r"^PPid:\s+(\d+)", text, re.M)
        rss = re.search(r"^VmRSS:\s+(\d+)", text, re.M)
        if pid == root_pid or (parent and int(parent.group(1)) == root_pid):
            # /proc/<pid>/stat fields 14-17: user and system time, and those of reaped children (the
            # worker recycles its processes: CELERY_WORKER_MAX_TASKS_PER_CHILD), in clock ticks.
            fields = stat[11:15] if pid == root_pid else stat[11:13]
            found[pid] = (sum(int(value) for value in fields) / ticks, int(rss.group(1)) if rss else 0)
    return found


def _start_worker(concurrency: int) -> tuple[subprocess.Popen, object]:
    """A letters worker as the Procfile runs it (``-Q letters``), with ``concurrency`` processes."""
    from kartosfera.celery import app

    log = (ROOT / "var" / f"bench-letters-worker-{concurrency}.log").open("w")
    worker = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            sys.executable, "-m", "celery", "-A", "kartosfera", "worker", "-Q", "letters",
            "--pool=prefork", f"--concurrency={concurrency}", "--prefetch-multiplier=1",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING",
            "-n", f"letters-bench-{concurrency}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env={**os.environ, "CELERY_BROKER_URL": BROKER, "CELERY_RESULT_BACKEND": BROKER},
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not app.control.ping(
        timeout=1, destination=[f"letters-bench-{concurrency}-{os.getpid()}@{socket.gethostname()}"]
    ):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the Celery worker did not start; see {log.name}")
    return worker, log


def _stop_worker(worker: subprocess.Popen, log) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()


def pool(*, concurrency: int, letters: int, letter_type: LetterType, quiet: bool = False) -> dict:
    """``letters`` letters through a real prefork worker of ``concurrency`` processes on Redis."""
    from kartosfera.celery import app
    from letters.tasks import render_batch_chunk

    output = ROOT / "var" / "bench-letters"
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    app.control.purge()
    worker, log = _start_worker(concurrency)
    try:
        snapshots = [
            sample_snapshot(letter_type, reference=f"KB/REK/2025/{number:06d}").to_json()
            for number in range(1, letters + 1)
        ]
        chunks = [snapshots[i : i + ARGS.chunk] for i in range(0, len(snapshots), ARGS.chunk)]
        load_before = os.getloadavg()[0]
        cpu_before = worker_processes(worker.pid)
        started = time.perf_counter()
        results = [
            render_batch_chunk.delay(letter_type=letter_type.value, snapshots=chunk, output_dir=str(output))
            for chunk in chunks
        ]
        peak_rss: dict[int, int] = {}
        items = []
        for number, result in enumerate(results):
            items.extend(result.get(timeout=3600))
            if number % 10 == 0:
                for pid, (_, rss) in worker_processes(worker.pid).items():
                    peak_rss[pid] = max(peak_rss.get(pid, 0), rss)
        elapsed = time.perf_counter() - started
        cpu_used = sum(cpu for cpu, _ in worker_processes(worker.pid).values()) - sum(
            cpu for cpu, _ in cpu_before.values()
        )
        files = list(output.glob("*.pdf"))
        assert len(items) == len(files) == letters, (len(items), len(files))
        pages = {item["page_count"] for item in items}
        figures = {
            "concurrency": concurrency,
            "letters": letters,
            "pages": pages,
            "seconds": elapsed,
            "rate": letters / elapsed,
            "cpu_per_letter": cpu_used / letters,
            "size": sum(item["size"] for item in items),
            "peak_rss": sorted(peak_rss.values()),
            "load": (load_before, os.getloadavg()[0]),
        }
    finally:
        _stop_worker(worker, log)
        app.control.purge()
        if not ARGS.keep_files:
            shutil.rmtree(output, ignore_errors=True)
    if not quiet:
        rate, cpu = figures["rate"], figures["cpu_per_letter"]
        print(
            f"pool: {letters:,} letters ({letter_type.value}, {'/'.join(map(str, sorted(pages)))} pages), "
            f"{len(chunks)} tasks of {ARGS.chunk}, Celery prefork concurrency {concurrency} on Redis "
            "(-Q letters)"
        )
        print(
            f"  measured: {elapsed:8.1f} s   {rate:6.2f} letters/s   "
            f"10,000 letters in {10_000 / rate / 60:.1f} min"
        )
        print(
            f"  worker CPU: {cpu * 1000:.0f} ms a letter -> on {concurrency} idle core(s) "
            f"{concurrency / cpu:.2f} letters/s, "
            f"10,000 letters in {10_000 / (concurrency / cpu) / 60:.1f} min"
        )
        print(
            f"  {figures['size'] / 1e6:.1f} MB written, {figures['size'] / letters / 1024:.1f} KiB a letter"
        )
        memory = ", ".join(f"{kib / 1024:.0f} MiB" for kib in figures["peak_rss"])
        print(f"  resident memory of the worker processes, largest seen: {memory}")
        print(f"  load average: {figures['load'][0]:.2f} before, {figures['load'][1]:.2f} after")
    return figures


def scale() -> None:
    """Letters/s with 1 and 2 worker processes in one run, and the capacity formula's figures."""
    letter_type = LetterType[ARGS.scale_type]
    print(
        f"scale-out: {ARGS.scale_letters:,} letters ({letter_type.value}) per run, a letters worker "
        f"(-Q letters) of 1 then 2 processes, subsetter in the workers: {subsetter()}"
    )
    runs = [
        pool(concurrency=c, letters=ARGS.scale_letters, letter_type=letter_type, quiet=True) for c in (1, 2)
    ]
    print(
        "\n| worker processes | letters | wall | letters/s | worker CPU a letter "
        "| load average before → after |"
    )
    print("|---:|---:|---:|---:|---:|---|")
    for run in runs:
        print(
            f"| {run['concurrency']} | {run['letters']:,} | {run['seconds']:.1f} s | {run['rate']:.2f} "
            f"| {run['cpu_per_letter'] * 1000:.0f} ms | {run['load'][0]:.2f} → {run['load'][1]:.2f} |"
        )
    one, two = runs
    cpu = statistics.mean(run["cpu_per_letter"] for run in runs)
    per_core_hour = 3600 / cpu
    needed = math.ceil(10_000 / per_core_hour)
    print(
        f"\n2 processes / 1 process: {two['rate'] / one['rate']:.2f}x the letters/s; pages a letter: "
        f"{sorted(one['pages'] | two['pages'])}"
    )
    print(
        f"capacity: {cpu * 1000:.0f} ms of CPU a letter -> {per_core_hour:,.0f} letters an hour per core; "
        f"10,000 acknowledgements within an hour need ceil(10,000 x {cpu:.3f} s / 3,600 s) = {needed} "
        f"worker process(es) on as many idle cores"
    )


def _pool_defaults() -> None:
    pool(concurrency=2, letters=ARGS.pool_letters, letter_type=LETTER)


def main() -> None:
    machine()
    if ARGS.scale_only:
        scale()
        return
    if ARGS.pool_only:
        _pool_defaults()
        return
    compare("single process, two-page decision letter")
    if weasyprint_fonts.harfbuzz_subset:
        # Emulate a machine without libharfbuzz-subset (as the project's fresh machines are).
        saved, weasyprint_fonts.harfbuzz_subset = weasyprint_fonts.harfbuzz_subset, None
        compare("same, with WeasyPrint subsetting through fontTools")
        options()
        weasyprint_fonts.harfbuzz_subset = saved
    options()
    if ARGS.pool_letters:
        _pool_defaults()
    if ARGS.scale_letters:
        scale()


if __name__ == "__main__":
    main()
