"""Render a GPU matrix of projects here; run their GPU checks on a CUDA machine; write a report.

`render` needs the generator (copier). `run` needs only a python3 with torch and the projects'
runtime packages (numpy, pyyaml, tqdm, typer, matplotlib, ...): it installs nothing and runs
each project from its source folder (PYTHONPATH=src). For each project it runs the GPU-marked
tests, then short training runs on CUDA at each precision the project supports (and once with
torch.compile), and records pass/fail, samples/s, MFU (models that report it: the text task's
transformer) and the validation metric in a Markdown report. Every task is in the matrix.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO / "build" / "gpu_matrix"
# Features are switched; the other questions keep their defaults. Serving needs fastapi,
# which GPU images often lack, and has no GPU code: it stays off here.
ALL_ON = {"amp": True, "ema": True, "tensorboard": True, "ddp": True}
ALL_OFF = {"amp": False, "ema": False, "tensorboard": False, "ddp": False, "export": []}
TASKS = ["tabular", "vision", "text"]
MATRIX = {
    **{f"{task}_all_on": {"task": task, **ALL_ON} for task in TASKS},
    **{f"{task}_all_off": {"task": task, **ALL_OFF} for task in TASKS},
    "tabular_no_amp": {"task": "tabular", **ALL_ON, "amp": False, "tensorboard": False},
}
# Per task: make-data options, and train settings for a short run that still measures speed.
TASK_RUNS = {
    "tabular": (["--rows", "60000"], ["trainer.max_epochs=2", "data.batch_size=512"]),
    "vision": ([], ["trainer.max_epochs=2"]),
    "text": ([], ["trainer.max_steps=300"]),
}
# (name, --set overrides); precision runs only where the project has the amp feature. Every
# project's GPU tests also train with torch.compile.
RUNS = [
    ("fp32", []),
    ("bf16", ["trainer.precision=bf16"]),
    ("fp16", ["trainer.precision=fp16"]),
    ("bf16+compile", ["trainer.precision=bf16", "trainer.compile=true"]),
]


def render(out: Path) -> None:
    """Render every project of MATRIX under `out` (serving off)."""
    import copier
    import yaml

    questions = yaml.safe_load((REPO / "copier.yml").read_text())
    out.mkdir(parents=True, exist_ok=True)
    for name, answers in MATRIX.items():
        if answers["task"] not in questions["task"]["choices"].values():
            continue
        data = {"project_name": f"gpu_{name}", **answers}
        if "serving" in questions:
            data["serving"] = False
        dst = out / f"gpu_{name}"
        copier.run_copy(str(REPO), dst, data=data, defaults=True, quiet=True, overwrite=True)
        print(f"rendered {dst}")


def sh(args: list[str], cwd: Path, timeout: float) -> tuple[int, str, float]:
    """Run a command with the project's sources on the path; return (code, output, seconds)."""
    env = {**os.environ, "PYTHONPATH": str(cwd.resolve() / "src"), "PYTHONUNBUFFERED": "1"}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
        code, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as err:
        code, output = 124, f"timed out after {timeout} s\n{err.stdout or ''}{err.stderr or ''}"
    return code, output, time.perf_counter() - start


def gpu_tests(project: Path) -> dict:
    """Run the test files that hold GPU-marked tests, with `-m gpu`."""
    files = [
        str(p.relative_to(project))
        for p in sorted((project / "tests").glob("test_*.py"))
        if "pytest.mark.gpu" in p.read_text()
    ]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "gpu", *files]
    code, output, seconds = sh(command, project, timeout=400)
    summary = next((line for line in reversed(output.splitlines()) if " in " in line), "")
    return {"code": code, "summary": summary.strip("= "), "seconds": seconds, "log": output}


def train_runs(project: Path, package: str) -> list[dict]:
    """make-data, then short CUDA training runs; samples/s (and MFU where the model reports it)
    is the median over the logged windows after the first."""
    python = [sys.executable, "-m", package]
    answers = (project / ".copier-answers.yml").read_text()
    task = next(t for t in TASKS if f"task: {t}" in answers)
    make_data, settings = TASK_RUNS[task]
    code, output, _ = sh([*python, "make-data", *make_data], project, timeout=300)
    if code != 0:
        return [{"run": "make-data", "code": code, "log": output}]
    has_amp = "precision" in (project / "configs" / "default.yaml").read_text()
    results = []
    for name, overrides in RUNS:
        if not has_amp and "precision" in " ".join(overrides):
            continue
        args = [
            "train",
            "--run-dir",
            f"runs/{name}",
            "--set",
            "trainer.device=cuda",
        ]
        for item in [*settings, *overrides]:
            args += ["--set", item]
        code, output, seconds = sh([*python, *args], project, timeout=300)
        result = {"run": name, "code": code, "seconds": seconds, "log": output}
        metrics = project / "runs" / name / "metrics.jsonl"
        if code == 0 and metrics.is_file():
            records = [json.loads(line) for line in metrics.read_text().splitlines() if line]
            speeds = [r["samples_per_s"] for r in records if "samples_per_s" in r][1:]
            mfu = [r["mfu"] for r in records if r.get("mfu") is not None][1:]
            val = [r for r in records if "val/loss" in r][-1]
            metric = "loss" if task == "text" else "acc"
            result["samples_per_s"] = statistics.median(speeds) if speeds else float("nan")
            result["mfu"] = statistics.median(mfu) if mfu else None
            result["val"] = f"{metric} {val.get(f'val_ema/{metric}', val[f'val/{metric}']):.4f}"
        results.append(result)
    return results


def run(root: Path, report: Path) -> int:
    """GPU tests of all projects in parallel, then the timed training runs one at a time."""
    import torch

    projects = sorted(p for p in root.iterdir() if (p / "pyproject.toml").is_file())
    if not torch.cuda.is_available():
        sys.exit("no CUDA device: run this on a GPU machine")
    with ThreadPoolExecutor(max_workers=len(projects)) as pool:
        tests = dict(zip(projects, pool.map(gpu_tests, projects), strict=True))
    trains = {p: train_runs(p, p.name) for p in projects}
    lines = [
        "# GPU check",
        "",
        f"{torch.cuda.get_device_name(0)}, torch {torch.__version__}, CUDA {torch.version.cuda}, "
        f"{time.strftime('%Y-%m-%d')}. Produced by `scripts/gpu_check.sh run`.",
        "",
        "Training runs: "
        + "; ".join(
            f"{t}: make-data {' '.join(m) or '(defaults)'}, {', '.join(s)}"
            for t, (m, s) in TASK_RUNS.items()
        )
        + ". samples/s and MFU are medians",
        "over the logged windows after the first; MFU only for models with a FLOP count (text).",
        "",
        "| project | GPU tests | run | result | seconds | samples/s | MFU | validation |",
        "|---|---|---|---|---|---|---|---|",
    ]
    failed = 0
    for project in projects:
        t = tests[project]
        failed += t["code"] != 0
        test_cell = f"{'pass' if t['code'] == 0 else 'FAIL'}: {t['summary']}"
        for r in trains[project]:
            failed += r["code"] != 0
            speed = f"{r['samples_per_s']:,.0f}" if "samples_per_s" in r else ""
            mfu = f"{r['mfu']:.1%}" if r.get("mfu") is not None else ""
            status = "pass" if r["code"] == 0 else f"FAIL ({r['code']})"
            secs = f"{r['seconds']:.1f}" if "seconds" in r else ""
            cells = [project.name, test_cell, r["run"], status, secs, speed, mfu, r.get("val", "")]
            lines.append("| " + " | ".join(cells) + " |")
            test_cell = ""
    lines += ["", f"Failures: {failed}", ""]
    for project in projects:
        for entry in [tests[project], *trains[project]]:
            if entry["code"] != 0:
                lines += [
                    f"## {project.name} {entry.get('run', 'tests')}",
                    "",
                    "```",
                    entry["log"][-4000:],
                    "```",
                    "",
                ]
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(lines))
    print("\n".join(lines))
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["render", "run"])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("report", nargs="?", type=Path, default=DEFAULT_DIR / "report.md")
    args = parser.parse_args()
    if args.step == "render":
        render(args.dir)
    else:
        sys.exit(run(args.dir, args.report))


if __name__ == "__main__":
    main()
