"""Render a GPU matrix of projects here; run their GPU checks on a CUDA machine; write a report.

`render` needs the generator (copier). `run` needs only a python3 with torch and the projects'
runtime packages (numpy, pyyaml, tqdm, typer, matplotlib, ...): it installs nothing and runs
each project from its source folder (PYTHONPATH=src). For each project it runs the GPU-marked
tests, then short training runs on CUDA at each precision the project supports (and once with
torch.compile), and records pass/fail, samples/s and validation accuracy in a Markdown report.
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
MATRIX = {
    "all_on": {"amp": True, "ema": True, "tensorboard": True, "ddp": True},
    "no_amp": {"amp": False, "ema": True, "tensorboard": False, "ddp": True},
    "all_off": {"amp": False, "ema": False, "tensorboard": False, "ddp": False, "export": []},
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
    """make-data, then short CUDA training runs; samples/s is the median over logged windows."""
    python = [sys.executable, "-m", package]
    code, output, _ = sh([*python, "make-data", "--rows", "60000"], project, timeout=120)
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
            "--set",
            "trainer.max_epochs=2",
            "--set",
            "data.batch_size=512",
        ]
        for item in overrides:
            args += ["--set", item]
        code, output, seconds = sh([*python, *args], project, timeout=300)
        result = {"run": name, "code": code, "seconds": seconds, "log": output}
        metrics = project / "runs" / name / "metrics.jsonl"
        if code == 0 and metrics.is_file():
            records = [json.loads(line) for line in metrics.read_text().splitlines() if line]
            speeds = [r["samples_per_s"] for r in records if "samples_per_s" in r][1:]
            val = [r for r in records if "val/acc" in r][-1]
            result["samples_per_s"] = statistics.median(speeds) if speeds else float("nan")
            result["val_acc"] = val.get("val_ema/acc", val["val/acc"])
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
        "Training runs: 60,000-row sample, batch 512, 2 epochs; samples/s is the median over the",
        "logged windows after the first (MFU: not reported, the tabular MLP has no FLOP model).",
        "",
        "| project | GPU tests | run | result | seconds | samples/s | val acc |",
        "|---|---|---|---|---|---|---|",
    ]
    failed = 0
    for project in projects:
        t = tests[project]
        failed += t["code"] != 0
        test_cell = f"{'pass' if t['code'] == 0 else 'FAIL'}: {t['summary']}"
        for r in trains[project]:
            failed += r["code"] != 0
            speed = f"{r['samples_per_s']:,.0f}" if "samples_per_s" in r else ""
            acc = f"{r['val_acc']:.4f}" if "val_acc" in r else ""
            status = "pass" if r["code"] == 0 else f"FAIL ({r['code']})"
            secs = f"{r['seconds']:.1f}" if "seconds" in r else ""
            cells = [project.name, test_cell, r["run"], status, secs, speed, acc]
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
