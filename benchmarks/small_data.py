"""Small real data sets: what a project's default config delivers, against a logistic
regression on the same split.

Renders a tabular and a vision project with torchgen's defaults and writes data sets that ship
inside scikit-learn (nothing is downloaded): three tables as CSV with their class names as
labels, and the 8 x 8 digits as an image folder. For each data set and seed it trains with the
default config (data.path and trainer.seed set; the digits also data.image_size=8 and
data.augment=light, as digits must not be flipped), reads the last validation of the raw and
EMA weights, evaluates best.pt (the delivered model), and fits a standardised logistic
regression on the same training rows (pixels for the digits). Prints a Markdown table of means
over the seeds and checks the goals stated in docs/small-data.md.

    .venv/bin/pip install scikit-learn
    .venv/bin/python benchmarks/small_data.py --seeds 5
"""

import argparse
import csv
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch.utils.data import Dataset

REPO = Path(__file__).resolve().parents[1]
# name: (task, scikit-learn loader, settings beyond data.path and trainer.seed)
DATA_SETS = {
    "iris": ("tabular", datasets.load_iris, []),
    "wine": ("tabular", datasets.load_wine, []),
    "breast_cancer": ("tabular", datasets.load_breast_cancer, []),
    "digits (8 x 8 images)": (
        "vision",
        datasets.load_digits,
        ["data.image_size=8", "data.augment=light"],
    ),
}


def write_data(task: str, table: Any, out: Path) -> Path:
    """A table as CSV (its feature columns, then `label` with the class names), or the digits
    as an image folder (one subfolder per class, files named by row)."""
    if task == "tabular":
        with out.with_suffix(".csv").open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([*table.feature_names, "label"])
            for row, target in zip(table.data, table.target, strict=True):
                writer.writerow([*(repr(float(v)) for v in row), table.target_names[target]])
        return out.with_suffix(".csv")
    for i, (image, target) in enumerate(zip(table.images, table.target, strict=True)):
        folder = out / str(table.target_names[target])
        folder.mkdir(parents=True, exist_ok=True)
        pixels = (image * (255 / 16)).round().astype("uint8")  # the digits' values are 0..16
        Image.fromarray(pixels).convert("RGB").save(folder / f"{i}.png")
    return out


def render(task: str, out: Path, ref: str) -> Path:
    """A project of `task` from the template at git `ref`, every other answer at its default."""
    torchgen = str(Path(sys.executable).parent / "torchgen")
    new = [torchgen, "new", str(out), "--defaults", "--no-git"]
    new += ["--template", str(REPO), "--vcs-ref", ref]
    new += ["--data", f"project_name={out.name}", "--data", f"task={task}"]
    subprocess.run(new, check=True, capture_output=True)
    return out


def project_command(project: Path, *args: str) -> dict:
    """Run the rendered project's CLI from source; its last stdout line as JSON."""
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", project.name, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def source_rows(split: Dataset) -> list[int]:
    """The rows of the scikit-learn table that a split of the project's data holds."""
    if hasattr(split, "indices"):  # tabular: a Subset of the CSV's rows
        return list(split.indices)
    return [int(path.stem) for path, _ in split.files]  # vision: files named by row


def logistic_regression(project: Path, data: Path, seed: int, table: Any) -> float:
    """Validation accuracy of a standardised logistic regression on the project's split."""
    sys.path.insert(0, str(project / "src"))
    config = importlib.import_module(f"{project.name}.config")
    splits = importlib.import_module(f"{project.name}.task").load_splits(
        config.load_config(None, [f"data.path={data}"]).data, seed
    )
    train, val = source_rows(splits.train), source_rows(splits.val)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    model.fit(table.data[train], table.target[train])
    return float(model.score(table.data[val], table.target[val]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="Seeds (splits and runs) per set.")
    parser.add_argument(
        "--set", action="append", default=[], help="A config override for every run (repeatable)."
    )
    parser.add_argument("--ref", default="HEAD", help="Template git ref (compare versions).")
    parser.add_argument("--only", action="append", choices=DATA_SETS, help="Only these sets.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="small_data_"))
    chosen = {name: DATA_SETS[name] for name in args.only or DATA_SETS}
    tasks = {task for task, _, _ in chosen.values()}
    projects = {task: render(task, work / f"small_{task}", args.ref) for task in tasks}
    rows, failures = [], []
    for i, (name, (task, load, extra)) in enumerate(chosen.items()):
        table = load()
        data = write_data(task, table, work / f"data{i}")
        project = projects[task]
        per_seed = []
        for seed in range(args.seeds):
            run_dir = work / "runs" / f"{i}-{seed}"
            overrides = [f"data.path={data}", f"trainer.seed={seed}", *extra, *args.set]
            settings = [arg for override in overrides for arg in ("--set", override)]
            last = project_command(project, "train", "--run-dir", str(run_dir), *settings)
            best = run_dir / "checkpoints" / "best.pt"
            delivered = project_command(project, "evaluate", "--checkpoint", str(best))["acc"]
            raw, ema = last["val/acc"], last.get("val_ema/acc", last["val/acc"])
            logreg = logistic_regression(project, data, seed, table)
            per_seed.append((logreg, raw, ema, delivered))
            if delivered < max(raw, ema) - 0.005:
                failures.append(f"{name} seed {seed}: delivered {delivered} < last {raw}/{ema}")
        means = [statistics.mean(v) for v in zip(*per_seed, strict=True)]
        if task == "tabular" and means[3] < means[0] - 0.02:
            failures.append(f"{name}: delivered {means[3]:.3f} < logistic {means[0]:.3f} - 0.02")
        cells = " | ".join(f"{v:.3f}" for v in means)
        rows.append(f"| {name} | {len(table.target)} | {cells} |")
    print(f"Means over {args.seeds} seeds (split and run); validation accuracy:\n")
    print(
        "| data set | rows | logistic regression | raw (last) | EMA (last) | delivered (best.pt) |"
    )
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\ngoals:", "met" if not failures else "NOT met:\n  " + "\n  ".join(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
