"""A template source as copier takes it, and the names its copier.yml may have."""

from dataclasses import dataclass
from pathlib import Path

CONFIG_NAMES = ("copier.yml", "copier.yaml")


@dataclass(frozen=True)
class Source:
    """A template source as copier takes it, with its copier.yml when it is a local folder.

    `builtin` marks torchgen's own template: a wheel's installed bundle or the development checkout.
    """

    location: str
    vcs_ref: str | None
    config: Path | None
    builtin: bool
