"""Issue 11, point 11: the README's pictures exist, and `scripts/screenshots.py` makes
each of them (the picture of the first screen among them) from demo mode."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script_shots() -> set[str]:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts/screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return {shot.name for shot in module.SHOTS}


def test_every_readme_picture_exists_and_the_script_makes_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"\]\((screenshots/[\w-]+\.svg)\)", readme)
    assert {"screenshots/main.svg", "screenshots/ssh-download.svg"} <= set(pictures)
    shots = _script_shots()
    for picture in pictures:
        assert (ROOT / picture).is_file(), picture
        assert Path(picture).stem in shots, f"{picture} is not made by scripts/screenshots.py"
    assert {"main", "search", "playlist", "ssh-download"} <= shots
