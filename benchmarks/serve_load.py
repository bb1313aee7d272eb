"""Load-test a generated project's `serve`: eager (checkpoint) against its exported models.

Renders a project from this repository (or takes --project, a generated project with the
`serving` and `export` features), trains a small model (or takes --checkpoint), exports it, then,
one backend at a time, starts `serve` on a free loopback port, sends a bounded number of
concurrent POST /predict requests, stops the server and prints requests/s and p50/p99 latency,
with each exported backend's ratio to eager. It reports and never fails on slowness.

    python benchmarks/serve_load.py --requests 500 --concurrency 8

`--soak SECONDS` instead keeps one backend (eager) busy for that long at `--concurrency`, with a
mix of valid and malformed requests, samples the server's resident memory, and ends with SIGTERM
while requests are in flight. Goals: no 5xx answer, no dropped connection, resident memory from
the 10th second to the end grown by under 10%, every request in flight at SIGTERM answered. It
exits 1 when a goal is missed.

    python benchmarks/serve_load.py --soak 60 --concurrency 32

The project runs from its source folder (PYTHONPATH), with this interpreter's packages.
"""

import argparse
import csv
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Project:
    """A generated project and how to run its command line."""

    root: Path
    package: str

    def run(self, *args: str) -> str:
        """Run `python -m <package> ARGS` in the project folder; stop on failure."""
        proc = subprocess.run(
            [sys.executable, "-m", self.package, *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            sys.exit(f"{self.package} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
        return proc.stdout

    def env(self) -> dict[str, str]:
        """This environment, with the project's source folder first on the import path."""
        paths = [str(self.root / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def render(dst: Path) -> Project:
    """Render this repository's template with serving and both export formats."""
    import copier

    copier.run_copy(
        str(REPO),
        dst,
        data={"project_name": "serve_bench", "export": ["pt2", "onnx"], "serving": True},
        defaults=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    return Project(dst, "serve_bench")


def package_of(root: Path) -> str:
    """The package name recorded in a generated project's answers file."""
    for line in (root / ".copier-answers.yml").read_text().splitlines():
        if line.startswith("package_name:"):
            return line.split(":", 1)[1].strip()
    sys.exit(f"{root}: no package_name in .copier-answers.yml (not a generated project?)")


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(project: Project, model: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `serve --model MODEL` on a free loopback port; yield its URL and process; always
    stop it."""
    port = free_port()
    command = [sys.executable, "-m", project.package, "serve", "--model", str(model)]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=project.root,
            env=project.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        with httpx2.Client(base_url=url, trust_env=False) as client:
            while True:
                if proc.poll() is not None:
                    sys.exit(f"the server for {model} exited:\n{log.read_text()[-3000:]}")
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                if time.monotonic() > deadline:
                    sys.exit(f"the server for {model} did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load(url: str, bodies: list[dict], concurrency: int, time_limit: float) -> dict[str, float]:
    """Send every body (or as many as fit in `time_limit` s) from `concurrency` threads."""
    local = threading.local()
    deadline = time.monotonic() + time_limit

    def send(body: dict) -> float | None:
        if time.monotonic() > deadline:
            return None
        if not hasattr(local, "client"):
            local.client = httpx2.Client(base_url=url, trust_env=False, timeout=30)
        start = time.perf_counter()
        response = local.client.post("/predict", json=body)
        elapsed = time.perf_counter() - start
        return elapsed if response.status_code == 200 else float("nan")

    for body in bodies[: 2 * concurrency]:  # warm-up: connections, first inference
        send(body)
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(send, bodies))
    wall = time.perf_counter() - start
    latencies = sorted(r for r in results if r is not None and r == r)
    errors = sum(1 for r in results if r is not None and r != r)
    if not latencies:
        sys.exit(f"no successful request to {url}")
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / wall,
        "p50_ms": 1000 * cuts[49],
        "p99_ms": 1000 * cuts[98],
    }


def malformed(features: list[dict], rng: random.Random) -> dict:
    """One bad request of the kinds a server meets: keyword arguments for httpx2's post."""
    row = features[0]
    kind = rng.randrange(6)
    if kind == 0:
        return {
            "content": b'{"instances": [{"f0": ',
            "headers": {"content-type": "application/json"},
        }
    if kind == 1:
        return {"json": {"instances": [dict(list(row.items())[1:])]}}  # a column missing
    if kind == 2:
        return {"json": {"instances": [row | {"f0": "x"}]}}  # not a number
    if kind == 3:
        return {"json": {"instances": []}}  # empty batch
    if kind == 4:
        return {"json": {"rows": features[:1]}}  # unknown key
    return {"json": {"instances": features[:1] * 5000}}  # more rows than a request may hold


def records(path: Path) -> list[dict]:
    """The sample CSV's rows as /predict records: numbers as numbers, gaps as null, the color
    as text; the id and the label left out."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        {
            k: (v if k == "color" else float(v)) if v else None
            for k, v in row.items()
            if k not in ("id", "label")
        }
        for row in rows
    ]


def rss_kib(pid: int) -> int:
    """Resident memory of process `pid` (Linux /proc), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def soak(
    url: str, proc: subprocess.Popen, features: list, seconds: float, concurrency: int
) -> bool:
    """Keep the server busy for `seconds` with 4 valid requests to 1 malformed one, then stop
    it with SIGTERM mid-load; print the figures and return whether every goal is met."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    counts = {"ok": 0, "4xx": 0, "5xx": 0, "dropped": 0}
    latencies: list[float] = []
    rss: list[tuple[float, int]] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx2.Client(base_url=url, trust_env=False, timeout=30) as client:
            while time.monotonic() < stop:
                valid = rng.random() < 0.8
                request = (
                    {"json": {"instances": [rng.choice(features)]}}
                    if valid
                    else malformed(features, rng)
                )
                start = time.perf_counter()
                try:
                    status = client.post("/predict", **request).status_code
                except httpx2.TransportError:
                    status = None
                elapsed = time.perf_counter() - start
                with lock:
                    if status is None:
                        counts["dropped"] += 1
                    elif status >= 500:
                        counts["5xx"] += 1
                    elif status >= 400:
                        counts["4xx"] += 1
                    else:
                        counts["ok"] += 1
                        latencies.append(elapsed)

    began = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    while time.monotonic() < stop:
        rss.append((time.monotonic() - began, rss_kib(proc.pid)))
        time.sleep(1)
    for t in threads:
        t.join()

    # Graceful shutdown: SIGTERM while a burst of requests is in flight; each must be answered.
    answered, burst = [], 4 * concurrency

    def one(_: int) -> None:
        with httpx2.Client(base_url=url, trust_env=False, timeout=30) as client:
            try:
                answered.append(
                    client.post("/predict", json={"instances": [features[0]] * 64}).status_code
                )
            except httpx2.ConnectError:  # sent after the listener closed: refused, not lost
                answered.append("refused")
            except httpx2.TransportError:  # accepted, then the connection went: a lost request
                answered.append("dropped")

    with ThreadPoolExecutor(burst) as pool:
        futures = [pool.submit(one, i) for i in range(burst)]
        time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        for f in futures:
            f.result()
    in_flight_ok = sum(1 for s in answered if s == 200)
    refused, lost = answered.count("refused"), answered.count("dropped")
    proc.wait(timeout=30)

    cuts = statistics.quantiles(latencies, n=100)
    at_10 = next((kib for t, kib in rss if t >= 10), rss[0][1])
    growth = rss[-1][1] / at_10 - 1
    print(f"soak {seconds:.0f} s, concurrency {concurrency}, {os.cpu_count()} CPUs, eager backend")
    print(
        f"  requests: {counts['ok']} ok, {counts['4xx']} 4xx (malformed), {counts['5xx']} 5xx, "
        f"{counts['dropped']} dropped connections"
    )
    print(f"  valid requests: p50 {1000 * cuts[49]:.2f} ms, p99 {1000 * cuts[98]:.2f} ms")
    print(
        f"  server RSS: {at_10 / 1024:.1f} MiB at 10 s, {rss[-1][1] / 1024:.1f} MiB at the end "
        f"({100 * growth:+.1f}%)"
    )
    print(
        f"  SIGTERM with {burst} requests sent: {in_flight_ok} answered 200, {lost} dropped, "
        f"{refused} refused at connect (after the listener closed); the server exited "
        f"{proc.returncode} (uvicorn re-raises the signal once it has shut down)"
    )
    goals = {
        "no 5xx": counts["5xx"] == 0,
        "no dropped connection": counts["dropped"] == 0,
        "RSS growth under 10%": growth < 0.10,
        "in-flight requests answered": lost == 0
        and in_flight_ok > 0
        and in_flight_ok + refused == burst,
    }
    print("goals: " + ", ".join(f"{k}: {'met' if ok else 'MISSED'}" for k, ok in goals.items()))
    return all(goals.values())


def main() -> None:
    """Prepare the models, load each backend in turn and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a generated project (default: render one)")
    parser.add_argument("--checkpoint", type=Path, help="a checkpoint (default: train one)")
    parser.add_argument("--requests", type=int, default=500, help="requests per backend")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--batch-size", type=int, default=1, help="rows per request")
    parser.add_argument("--time-limit", type=float, default=120, help="seconds per backend")
    parser.add_argument("--soak", type=float, help="soak the eager backend for this many seconds")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.project:
            project = Project(args.project.resolve(), package_of(args.project))
        else:
            project = render(work / "serve_bench")
        data = work / "data"
        project.run("make-data", "--out", str(data), "--rows", "4000")
        checkpoint = args.checkpoint.resolve() if args.checkpoint else None
        if checkpoint is None:
            run_dir = work / "run"
            project.run(
                "train",
                "--run-dir",
                str(run_dir),
                "--set",
                f"data.path={data / 'train.csv'}",
                "--set",
                "trainer.max_epochs=2",
            )
            checkpoint = run_dir / "checkpoints" / "best.pt"
        features = records(data / "train.csv")
        if args.soak:
            with server(project, checkpoint, work / "soak.log") as (url, proc):
                met = soak(url, proc, features, args.soak, args.concurrency)
            sys.exit(0 if met else 1)
        out = work / "export"
        export = ["export", "--checkpoint", str(checkpoint), "--out", str(out)]
        if "--quantize" in project.run("export", "--help"):
            export.append("--quantize")
        project.run(*export)
        models = {"eager": checkpoint}
        for path in sorted(out.glob("model.*")):
            if path.suffix != ".safetensors":
                models[path.name.removeprefix("model.")] = path

        size = args.batch_size
        bodies = [
            {"instances": [features[(i * size + j) % len(features)] for j in range(size)]}
            for i in range(args.requests)
        ]
        print(
            f"{args.requests} requests of {size} row(s) per backend, "
            f"concurrency {args.concurrency}, {os.cpu_count()} CPUs"
        )
        results = {}
        for name, model in models.items():
            with server(project, model, work / f"{name}.log") as (url, _):
                results[name] = load(url, bodies, args.concurrency, args.time_limit)
            r = results[name]
            print(
                f"{name:>9}: {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.2f} ms  "
                f"p99 {r['p99_ms']:6.2f} ms  ({r['requests']:.0f} ok, {r['errors']:.0f} errors)"
            )
        eager = results["eager"]
        for name, r in results.items():
            if name != "eager":
                print(
                    f"{name} / eager: throughput {r['rps'] / eager['rps']:.2f}x, "
                    f"p50 latency {r['p50_ms'] / eager['p50_ms']:.2f}x"
                )


if __name__ == "__main__":
    main()
