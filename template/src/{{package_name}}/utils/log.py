"""Console logging and the run's metrics.jsonl."""

import json
import logging
from pathlib import Path
from typing import Any


def configure_logging(level: int = logging.INFO) -> None:
    """Plain `message` lines on stderr."""
    logging.basicConfig(level=level, format="%(message)s")


class MetricsLogger:
    """Appends one JSON object per logged point to metrics.jsonl."""

    def __init__(self, path: Path, *, resume_step: int | None = None) -> None:
        self.path = path
        if resume_step is None:
            path.write_text("")
        elif path.exists():
            # Points logged after the checkpoint are replayed by the resumed run: drop them.
            lines = path.read_text().splitlines()
            kept = [line for line in lines if line and json.loads(line)["step"] <= resume_step]
            path.write_text("".join(f"{line}\n" for line in kept))

    def log(self, record: dict[str, Any]) -> None:
        """Write one record (it must hold `step` and `epoch`)."""
        with self.path.open("a") as f:
            f.write(json.dumps(record) + "\n")


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """All records of a metrics.jsonl file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line]
