"""The documentation: the site builds strictly, and its torchgen commands are real ones."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from torchgen_cli.cli import app

REPO = Path(__file__).resolve().parents[1]
PAGES = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]


def test_site_builds_strictly(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds: no broken links, no page missing from the nav."""
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr


def shown_commands() -> list[tuple[Path, str]]:
    """Every command line inside the pages' bash code blocks (comments removed), in page order."""
    commands = []
    for page in PAGES:
        for block in re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.DOTALL):
            for line in block.splitlines():
                line = line.split(" #")[0].strip()
                if line:
                    commands.append((page, line))
    return commands


def test_torchgen_commands_in_the_docs_parse() -> None:
    """Each `torchgen ...` line the docs show names a real command with real options."""
    commands = [
        shlex.split(line)[1:] for _, line in shown_commands() if line.startswith("torchgen ")
    ]
    assert len(commands) >= 5, commands
    for args in commands:
        # Parse only: `--help` after the command checks the options without running it.
        options = [a for a in args if a.startswith("--")]
        command = [] if args[0].startswith("--") else [args[0]]
        result = CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0, f"torchgen {' '.join(args)}: {result.output}"
        for option in options:
            name = option.split("=")[0]
            assert name in result.output, f"torchgen {' '.join(args)}: no option {name}"
