"""What the palette's preset and export commands do on the main screen.

Loading a preset only fills the form (nothing is sent); saving one asks for its name;
exporting writes the cached library into the music folder. Each says what it did where
the user is looking (a notification).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fttui.session.presets import PresetError, all_presets, save_preset

if TYPE_CHECKING:
    from fttui.tui.screens.main import MainScreen


def preset_names() -> list[str]:
    """Built-in presets and the user's; none when the file cannot be read (said on use)."""
    try:
        return list(all_presets())
    except PresetError:
        return []


def load_preset(screen: MainScreen, name: str) -> None:
    """Fill the form from preset `name` and show it; nothing is sent."""
    try:
        fields = all_presets().get(name)
    except PresetError as exc:
        screen.notify(str(exc), severity="error", markup=False)
        return
    if fields is None:
        screen.notify(f"There is no preset named “{name}”.", severity="warning", markup=False)
        return
    screen.form.load(fields)
    screen.action_new()
    screen.notify(f"Preset “{name}” loaded into the form.", markup=False)


def ask_and_save_preset(screen: MainScreen) -> None:
    """Ask for a name, then keep the form's fields as that preset."""
    from fttui.tui.screens.preset_name import PresetNameScreen

    fields = screen.form.fields()

    def named(name: str | None) -> None:
        if not name:
            return
        try:
            path = save_preset(name, fields)
        except PresetError as exc:
            screen.notify(str(exc), severity="error", markup=False)
            return
        screen.notify(f"Preset “{name}” saved in {path}.", markup=False)

    screen.app.push_screen(PresetNameScreen(), named)


def export_library(screen: MainScreen, folder: Path, fmt: str = "csv") -> Path | None:
    """Write the cached library as `fmt` into `folder`, under a name not taken yet."""
    session = screen.session
    if session is None:
        return None
    from fttui.audio.files import candidates

    text, count = session.export("json" if fmt == "json" else "csv", folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = next(candidates(folder, "fttui library", f".{fmt}"))
        with open(path, "x", encoding="utf-8") as handle:  # "x": never over a file
            handle.write(text)
    except (OSError, StopIteration) as exc:
        screen.notify(f"The library could not be exported: {exc}", severity="error", markup=False)
        return None
    noun = "generation" if count == 1 else "generations"
    screen.notify(f"Exported {count:,} {noun} to {path}.", markup=False)
    return path
