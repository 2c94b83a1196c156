"""The codebase's own checks, as tests: layering, types, lint.

The layering is the one harlequin checks too: the API client, the simulator, the audio
layer, the cache and the headless commands never import Textual, and the client never
imports the simulator (a misreading shared by both would pass every test).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _tool(name: str) -> str:
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def test_import_contracts_hold() -> None:
    result = _run(_tool("lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_headless_commands_do_not_load_textual() -> None:
    probe = (
        "import sys, fttui.cli, fttui.cli.commands, fttui.api.client, fttui.store, fttui.audio;"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual');"
        "print(loaded); raise SystemExit(1 if loaded else 0)"
    )
    result = _run(sys.executable, "-c", probe)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = _run(_tool("mypy"))
    assert result.returncode == 0, result.stdout[-4000:]


def test_ruff_is_clean() -> None:
    ruff = _tool("ruff")
    check = _run(ruff, "check", ".")
    assert check.returncode == 0, check.stdout[-4000:]
    fmt = _run(ruff, "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout[-4000:]
