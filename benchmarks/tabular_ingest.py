"""Tabular ingest: a large CSV into tensors, the generated project's way against pandas.

Renders a tabular project with torchgen's defaults and writes a CSV of `--rows` rows and 20
columns: 15 numeric, 4 categorical (text, 5 to 40 categories) and a 3-class label, with 5% of
the feature cells empty. Each measurement runs in a fresh process and reads the whole file into
the model's input tensors:

- project: the project's `load_splits` (pyarrow's multi-threaded CSV reader, column roles and
  categories from the training rows, numbers with NaN for gaps, int64 category codes, class
  indices);
- pandas: `pandas.read_csv` with the same missing-value spellings, then the same encoding done
  with pandas (categories of the same training rows, unknown 0, missing 1, known from 2).

The two are interleaved `--rounds` times; the script prints the median seconds of each (and the
fastest round, the least disturbed by the machine's noise), their ratio, and the peak memory
each process added while ingesting (resident set size, beyond what it held after its imports)
against the CSV's size. Goals (docs/benchmarks.md): the project at least 2x faster than pandas
(median), and its added peak memory under 3x the CSV's size; it exits 1 when one is missed.

    .venv/bin/pip install pandas
    .venv/bin/python benchmarks/tabular_ingest.py --rows 1000000 --rounds 7
"""

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rendered import render_project

NUMERIC, CATEGORICAL = 15, 4
MISSING = ["", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "?"]


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    """The benchmark's table, written with pyarrow (missing cells as empty fields)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pv

    rng = np.random.default_rng(seed)
    columns = {}
    for j in range(NUMERIC):
        values = rng.normal(j, 1 + j, rows).round(4)
        columns[f"x{j}"] = pa.array(values, mask=rng.random(rows) < 0.05)
    for j in range(CATEGORICAL):
        names = np.array([f"cat{j}_{k}" for k in range(5 + 12 * j)])
        picks = names[rng.integers(0, len(names), rows)]
        columns[f"c{j}"] = pa.array(picks, mask=rng.random(rows) < 0.05)
    columns["label"] = pa.array(np.array(["low", "mid", "high"])[rng.integers(0, 3, rows)])
    pv.write_csv(pa.table(columns), path)


def rss_mb() -> float:
    """This process's resident set size now, in MiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """This process's peak resident set size so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest_project(csv: Path, package: str) -> int:
    """The project's own path: load_splits of the whole file."""
    import importlib

    config = importlib.import_module(f"{package}.config")
    task = importlib.import_module(f"{package}.task")
    cfg = config.DataConfig(path=str(csv), ignore_columns=[], batch_size=256)
    splits = task.load_splits(cfg, seed=0)
    dataset = splits.train.dataset
    return int(dataset.numeric.shape[0] + dataset.codes.shape[1] + dataset.targets.shape[0])


def ingest_pandas(csv: Path, package: str) -> int:
    """pandas.read_csv, then the project's encoding done with pandas and numpy."""
    del package
    import numpy as np
    import pandas as pd
    import torch

    frame = pd.read_csv(csv, na_values=MISSING, keep_default_na=False)
    n = len(frame)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(0)).numpy()
    train = order[: n - round(n * 0.2)]
    numeric = [c for c in frame.columns if c != "label" and frame[c].dtype.kind in "if"]
    categorical = [c for c in frame.columns if c != "label" and c not in numeric]
    numbers = torch.from_numpy(frame[numeric].to_numpy(dtype=np.float32))  # NaN for gaps
    codes = np.empty((n, len(categorical)), dtype=np.int64)
    for j, name in enumerate(categorical):
        column = frame[name]
        known = sorted(column.iloc[train].dropna().unique())
        index = pd.Categorical(column, categories=known).codes.astype(np.int64)  # -1: other
        code = np.where(index >= 0, index + 2, 0)
        codes[:, j] = np.where(column.isna().to_numpy(), 1, code)
    classes = sorted(frame["label"].unique())
    labels = pd.Categorical(frame["label"], categories=classes).codes.astype(np.int64)
    targets = torch.from_numpy(labels)
    return int(numbers.shape[0] + torch.from_numpy(codes).shape[1] + targets.shape[0])


def child(way: str, csv: Path, package: str) -> None:
    """One measurement, in this fresh process: prints seconds and added peak memory as JSON."""
    import numpy  # noqa: F401  (imports are not part of the ingest)
    import pandas  # noqa: F401  (pyarrow imports it on its first conversion when installed)
    import pyarrow.csv  # noqa: F401
    import torch  # noqa: F401

    if way == "project":
        __import__(f"{package}.task")
    # The objects the imports made (torch's, pandas', ~200,000) are left out of later garbage
    # collections, as a long-running process would do: a full collection of them takes 0.1 s
    # here and otherwise lands inside whichever ingest happens to trigger it.
    gc.freeze()
    before = rss_mb()
    start = time.perf_counter()
    {"project": ingest_project, "pandas": ingest_pandas}[way](csv, package)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "added_peak_mb": peak_mb() - before}))


def measure(way: str, csv: Path, project: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    args = [sys.executable, __file__, "--child", way, "--csv", str(csv), "--package", project.name]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{way} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ref", default="HEAD", help="git ref of the template to render")
    parser.add_argument("--child", choices=["project", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--package", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.csv, args.package)
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = render_project(work / "ingest_bench", args.ref)
        csv = work / "table.csv"
        write_csv(csv, args.rows)
        size_mb = csv.stat().st_size / 2**20
        results: dict[str, list[dict[str, float]]] = {"project": [], "pandas": []}
        for _ in range(args.rounds):
            for way in results:
                results[way].append(measure(way, csv, project))
    seconds = {w: statistics.median(r["seconds"] for r in rs) for w, rs in results.items()}
    fastest = {w: min(r["seconds"] for r in rs) for w, rs in results.items()}
    memory = {w: max(r["added_peak_mb"] for r in rs) for w, rs in results.items()}
    speedup = seconds["pandas"] / seconds["project"]
    ratio = memory["project"] / size_mb
    print(f"CSV: {args.rows} rows x 20 columns, {size_mb:.0f} MiB; {args.rounds} rounds, median")
    print("| ingest | seconds | fastest round | added peak memory | memory / CSV size |")
    print("|---|---|---|---|---|")
    for way in results:
        share = memory[way] / size_mb
        row = f"{seconds[way]:.2f} | {fastest[way]:.2f} | {memory[way]:.0f} MiB | {share:.2f}"
        print(f"| {way} | {row} |")
    best = fastest["pandas"] / fastest["project"]
    print(
        f"speed-up over pandas: {speedup:.2f}x (goal >= 2; fastest rounds: {best:.2f}x); "
        f"project memory / CSV: {ratio:.2f} (goal < 3)"
    )
    if speedup < 2 or ratio >= 3:
        sys.exit(1)


if __name__ == "__main__":
    main()
