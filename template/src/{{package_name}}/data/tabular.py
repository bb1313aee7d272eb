"""Tabular classification data: a CSV file of numeric features and a label column."""

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor
from torch.utils.data import Dataset, random_split

from ..config import DataConfig
from ..errors import DataError
from ..utils.io import atomic_write
from .splits import Splits


@dataclass
class Spec:
    """What the model needs to know about the data (saved in checkpoints)."""

    num_features: int
    classes: list[str]


def load_splits(cfg: DataConfig, seed: int, spec: Spec | None = None) -> Splits:
    """Read `cfg.path` and split its rows deterministically by `seed`; `spec`, when given,
    fixes the class order (that of a trained model)."""
    dataset = CsvDataset(Path(cfg.path), cfg.label_column, spec.classes if spec else None)
    num_val = round(len(dataset) * cfg.val_fraction)
    num_train = len(dataset) - num_val
    if num_train < cfg.batch_size or num_val < 1:
        raise DataError(
            f"{cfg.path}: {len(dataset)} rows give {num_train} training rows, fewer than "
            f"data.batch_size={cfg.batch_size}"
        )
    g = torch.Generator().manual_seed(seed)
    train, val = random_split(dataset, [num_train, num_val], generator=g)
    return Splits(train=train, val=val, spec=dataset.spec)


def _sort_labels(labels: set[str]) -> list[str]:
    """Integer-looking labels sort numerically (2 before 10), others alphabetically."""
    if all(re.fullmatch(r"-?\d+", label) for label in labels):
        return sorted(labels, key=int)
    return sorted(labels)


class CsvDataset(Dataset[tuple[Tensor, Tensor]]):
    """Rows of a CSV file as (features, class index) pairs, held in memory."""

    def __init__(self, path: Path, label_column: str, classes: list[str] | None = None) -> None:
        header, rows = _read_csv(path)
        if label_column not in header:
            raise DataError(f"{path}: no column '{label_column}' (columns: {', '.join(header)})")
        label_at = header.index(label_column)
        self.feature_names = [name for name in header if name != label_column]
        if not self.feature_names:
            raise DataError(f"{path}: no feature columns besides '{label_column}'")
        labels = [row[label_at] for _, row in rows]
        self.classes = classes or _sort_labels(set(labels))
        if len(self.classes) < 2:
            raise DataError(f"{path}: column '{label_column}' needs at least two classes")
        index = {name: i for i, name in enumerate(self.classes)}
        features = []
        for (line, row), label in zip(rows, labels, strict=True):
            if label not in index:
                raise DataError(f"{path}, row {line}: unknown class '{label}'")
            values = [cell for i, cell in enumerate(row) if i != label_at]
            features.append(_parse_row(path, line, values, self.feature_names))
        self.features = torch.tensor(features, dtype=torch.float32)  # (N, F)
        self.targets = torch.tensor([index[label] for label in labels])  # (N,)

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        return self.features[i], self.targets[i]

    @property
    def spec(self) -> Spec:
        """Feature count and class names."""
        return Spec(num_features=len(self.feature_names), classes=list(self.classes))


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) for each data row; ragged rows are errors."""
    if not path.is_file():
        raise DataError(f"data file not found: {path} (run `make-data` to create a sample)")
    try:
        # utf-8-sig: spreadsheet programs often start CSV files with a byte-order mark.
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [name.strip() for name in next(reader, [])]
            rows = [(reader.line_num, row) for row in reader if row]
    except (UnicodeDecodeError, csv.Error) as err:
        raise DataError(f"{path}: not a readable CSV file ({err})") from None
    if not header:
        raise DataError(f"{path}: the file is empty (expected a header row)")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise DataError(f"{path}: repeated column names in the header: {', '.join(repeated)}")
    if not rows:
        raise DataError(f"{path}: no data rows after the header")
    for line, row in rows:
        if len(row) != len(header):
            raise DataError(f"{path}, row {line}: {len(row)} cells, expected {len(header)}")
    return header, rows


def _parse_row(path: Path, line: int, cells: list[str], names: list[str]) -> list[float]:
    values = []
    for name, cell in zip(names, cells, strict=True):
        where = f"{path}, row {line}, column '{name}'"
        try:
            value = float(cell)
        except ValueError:
            raise DataError(f"{where}: {cell!r} is not a number") from None
        if not math.isfinite(value):
            raise DataError(f"{where}: {cell!r} is not finite")
        values.append(value)
    return values


def make_sample_data(
    out: Path, *, num_rows: int = 4000, num_features: int = 8, num_classes: int = 3, seed: int = 0
) -> Path:
    """Write `out`/train.csv, learnable and synthetic: each class is a mix of two Gaussian blobs."""
    path = out / "train.csv"
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(num_classes * 2, num_features, generator=g) * 1.6
    labels = torch.randint(0, num_classes, (num_rows,), generator=g)
    blob = labels * 2 + torch.randint(0, 2, (num_rows,), generator=g)
    x = centers[blob] + torch.randn(num_rows, num_features, generator=g)
    # Features on different scales and offsets, as in real tables: the model standardises them.
    scale = torch.logspace(-1, 2, num_features)
    offset = torch.randn(num_features, generator=g) * 10
    x = x * scale + offset
    with atomic_write(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*(f"f{i}" for i in range(num_features)), "label"])
        for row, label in zip(x.tolist(), labels.tolist(), strict=True):
            writer.writerow([*(f"{v:.6g}" for v in row), f"class_{label}"])
    return path
