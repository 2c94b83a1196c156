"""Named form presets: a few built in, the user's own in `presets.toml` in the config folder.

A preset is the form's fields as `GenerationForm.fields()` gives them (text, booleans;
an empty field is simply left out), one TOML table per preset, readable and editable
by hand. The user's file is read fresh each time, so a hand edit shows at once; a
preset of theirs with a built-in's name replaces it. Loading a preset only fills the
form: nothing is ever sent. No Textual here.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fttui import locations
from fttui.atomic import write_atomic
from fttui.session.fields import PRESET_FIELDS

if TYPE_CHECKING:
    from fttui.api.models import Generation

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FILE_NAME = "presets.toml"
FIELDS = PRESET_FIELDS

BUILT_IN: dict[str, dict[str, Any]] = {
    "Lofi study": {
        "kind": "music",
        "tags": "lofi hip hop, mellow piano, vinyl crackle, rain",
        "duration": "120",
        "bpm": "80",
        "key": "Eb",
        "scale": "minor",
    },
    "Upbeat pop": {
        "kind": "music",
        "tags": "upbeat pop, bright synths, punchy drums, catchy hook",
        "duration": "90",
        "bpm": "124",
        "key": "C",
        "scale": "major",
    },
    "Cinematic score": {
        "kind": "music",
        "tags": "cinematic orchestral, strings, brass swells, epic",
        "duration": "150",
        "bpm": "90",
        "scale": "minor",
    },
    "Ambient pads": {
        "kind": "instrumental",
        "tags": "warm ambient pads, slow evolving textures",
        "duration": "120",
        "enhance": True,
    },
}


class PresetError(Exception):
    """The presets file could not be read or written; the message is for the user."""


def presets_file() -> Path:
    """Where the user's presets live (beside config.toml)."""
    return locations.config_dir() / FILE_NAME


def _kept(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a preset keeps, empty ones left out."""
    kept: dict[str, Any] = {}
    for name in FIELDS:
        value = fields.get(name)
        if isinstance(value, bool) or (isinstance(value, (str, int)) and str(value) != ""):
            kept[name] = value if isinstance(value, bool) else str(value)
    return kept


def user_presets(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """The user's own presets, in the file's order (none when there is no file)."""
    path = path or presets_file()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise PresetError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{path} is not valid TOML: {exc}") from None
    tables = data.get("presets", {})
    if not isinstance(tables, dict):
        raise PresetError(f"{path}: [presets] must hold one table per preset")
    return {str(name): _kept(t) for name, t in tables.items() if isinstance(t, dict)}


def all_presets(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Built-in presets, then the user's (a user preset replaces a built-in of its name)."""
    return {**BUILT_IN, **user_presets(path)}


def save_preset(name: str, fields: Mapping[str, Any], path: Path | None = None) -> Path:
    """Keep the form's `fields` as preset `name` (replacing one of that name)."""
    name = name.strip()
    if not name:
        raise PresetError("A preset needs a name.")
    path = path or presets_file()
    presets = user_presets(path)
    presets[name] = _kept(fields)
    try:
        write_atomic(path, _to_toml(presets), mode=0o644)
    except OSError as exc:
        raise PresetError(f"cannot write {path}: {exc.strerror}") from None
    return path


def _to_toml(presets: Mapping[str, Mapping[str, Any]]) -> str:
    lines = [
        '# fttui presets: one [presets."NAME"] table each, the form\'s fields as text.',
        "# Edit freely; load one from the form (ctrl+o) or the command palette.",
    ]
    for name, fields in presets.items():
        lines += ["", f"[presets.{_quoted(name)}]"]
        for field, value in fields.items():
            text = ("true" if value else "false") if isinstance(value, bool) else _quoted(value)
            lines.append(f"{field} = {text}")
    return "\n".join(lines) + "\n"


def _quoted(value: object) -> str:
    """A TOML basic string: escapes for quotes, backslashes and control characters."""
    out = []
    for char in str(value):
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif not char.isprintable():
            out.append(f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def remix_fields(generation: Generation) -> dict[str, Any]:
    """The form fields that would make `generation` again (its seed included)."""
    params = generation.parameters
    key, scale = params.key_and_scale
    return {
        "tags": params.tags or generation.prompt or "",
        "lyrics": params.lyrics or "",
        "duration": params.duration,
        "bpm": params.bpm,
        "language": params.language,
        "key": key,
        "scale": scale,
        "timesignature": params.timesignature,
        "seed": params.seed,
    }
