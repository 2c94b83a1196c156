"""Every binding as a command-palette entry, and as a row of the help screen.

Both are read from the live bindings of the app, the screen and its widgets, so a new
binding shows up in the palette and in `?` without being listed a second time. Only
fttui's own bindings are listed, and the few of Textual's that a newcomer needs
(quit, the palette, moving between fields and rows): the dozen scroll keys every
Textual container inherits would bury them.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, partial
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.keys import format_key
from textual.screen import Screen
from textual.theme import ThemeProvider

ESSENTIAL: dict[str, str] = {
    "quit": "Quit",
    "command_palette": "Command palette",
    "app.focus_next": "Next field",
    "app.focus_previous": "Previous field",
    "cursor_up": "Up",
    "cursor_down": "Down",
    "select_cursor": "Open the detail",
}
"""Textual's own actions worth a line, with the words to show for them."""

PLACES = ("anywhere", "list", "form")
"""The words for where a key works, in the order the help lists them."""
SYSTEM_COMMANDS = {"change_theme"}
"""Actions the palette already offers as Textual's own commands ("Theme")."""
_PLACE_OF = {"GenerationForm": "form", "GenerationList": "list", "_Table": "list"}


def _owners(app: App[object], screen: Screen[object]) -> Iterator[DOMNode]:
    yield app
    yield screen
    for node in screen.query("*"):
        if type(node).__module__.startswith("fttui."):
            yield node


def _own_keys(node: DOMNode) -> set[tuple[str, str]]:
    """(key, action) of the bindings that fttui's classes declare (not inherited ones)."""
    own: set[tuple[str, str]] = set()
    for cls in type(node).__mro__:
        if cls.__module__.startswith("fttui.") and "BINDINGS" in cls.__dict__:
            own.update((b.key, b.action) for b in Binding.make_bindings(cls.__dict__["BINDINGS"]))
    return own


@cache
def _text_field_keys() -> frozenset[str]:
    """The keys the form's text fields bind themselves, before the screen sees them."""
    from textual.widgets import Input, TextArea

    return frozenset(
        binding.key
        for field in (Input, TextArea)
        for binding in Binding.make_bindings(field.BINDINGS)
    )


def where(node: DOMNode, binding: Binding) -> str:
    """Where `binding` of `node` works, in the user's words (one of `PLACES`)."""
    if isinstance(node, App | Screen):
        # One-character keys are off in the form, where they are text.
        if binding.action == "back":
            return "form"
        # So are the keys a text field keeps for itself (ctrl+k deletes to the line's end).
        typed = len(key_label(binding)) == 1 or binding.key in _text_field_keys()
        return "list" if typed and not binding.priority else "anywhere"
    # The player's keys belong to the list's pane: they work where the list does.
    return _PLACE_OF.get(type(node).__name__, "list")


def key_label(binding: Binding) -> str:
    """ "ctrl+s", "+", "esc", "enter": the key as a person would name it."""
    if binding.key_display:
        return binding.key_display
    modifiers, key = binding.parse_key()
    return "+".join([*modifiers, "enter" if key == "enter" else format_key(key)])


def collect_bindings(app: App[object], screen: Screen[object]) -> list[tuple[DOMNode, Binding]]:
    """(owner, binding) for every listed binding: each key of each action, once."""
    seen: set[tuple[str, str, str]] = set()
    found: list[tuple[DOMNode, Binding]] = []
    for node in _owners(app, screen):
        own = _own_keys(node)
        for bindings in node._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.system or not (binding.description or binding.action in ESSENTIAL):
                    continue
                if (binding.key, binding.action) not in own and binding.action not in ESSENTIAL:
                    continue
                ident = (type(node).__name__, binding.action, binding.key)
                if ident not in seen:
                    seen.add(ident)
                    found.append((node, binding))
    return found


def describe(binding: Binding) -> str:
    """What the binding does, in words."""
    return ESSENTIAL.get(binding.action) or binding.description


def describe_bindings(app: App[object], screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(keys, description, where) for the help screen, grouped by where, in `PLACES` order.

    The keys of one action (or of one description: j and ↓ both say "Down") share a row.
    """
    rows: dict[tuple[str, str], list[str]] = {}
    for node, binding in collect_bindings(app, screen):
        rows.setdefault((describe(binding), where(node, binding)), []).append(key_label(binding))
    listed = [(" ".join(dict.fromkeys(keys)), desc, place) for (desc, place), keys in rows.items()]
    return sorted(listed, key=lambda row: PLACES.index(row[2]))


class ListedCommands(Provider):
    """A provider whose entries are a list: (title, help, what runs) from `_commands`."""

    def _commands(self) -> Iterator[tuple[str, str, partial[Any]]]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)


class BindingCommands(ListedCommands):
    """Palette entries that run the same actions as the keys."""

    def _commands(self) -> Iterator[tuple[str, str, partial[Any]]]:
        seen: set[tuple[str, str]] = set()
        for node, binding in collect_bindings(self.app, self.screen):
            # Textual's own keys are the help's business (the palette has its own Quit);
            # an action with two keys is one entry.
            ident = (type(node).__name__, binding.action)
            if binding.action in ESSENTIAL or binding.action in SYSTEM_COMMANDS or ident in seen:
                continue
            if not node.is_attached and node is not self.app:
                continue
            seen.add(ident)
            run = partial(self.app.run_action, binding.action, node)
            yield describe(binding), f"{key_label(binding)} · {where(node, binding)}", run


class ThemeChoices(ThemeProvider):
    """The themes, the one in use first: the picker opens on it, not on the alphabet's first."""

    @property
    def commands(self) -> list[tuple[str, Any]]:
        current = self.app.theme
        themes = super().commands
        return sorted(themes, key=lambda command: command[0] != current)

    async def discover(self) -> Hits:
        for name, run in self.commands:
            current = name == self.app.theme
            yield DiscoveryHit(name, run, help="in use" if current else None)


class LibraryCommands(ListedCommands):
    """Presets (load one, save the form as one) and export, on the main screen."""

    EXPORTS = True

    def _commands(self) -> Iterator[tuple[str, str, partial[Any]]]:
        from fttui.tui import library_actions
        from fttui.tui.screens.main import MainScreen

        screen = self.screen
        if not isinstance(screen, MainScreen):
            return
        for name in library_actions.preset_names():
            load = partial(library_actions.load_preset, screen, name)
            yield f"Load preset: {name}", "fills the form; sends nothing", load
        save = partial(library_actions.ask_and_save_preset, screen)
        yield "Save the form as a preset", "kept in presets.toml in the config folder", save
        for fmt in ("csv", "json") if self.EXPORTS else ():
            export = partial(self._export, fmt)
            yield f"Export the library as {fmt.upper()}", "into the music folder", export

    def _export(self, fmt: str) -> None:
        from fttui import locations
        from fttui.tui import library_actions
        from fttui.tui.screens.main import MainScreen

        screen = self.screen
        folder = getattr(getattr(self.app, "settings", None), "download_dir", None)
        if isinstance(screen, MainScreen):
            library_actions.export_library(screen, folder or locations.music_dir(), fmt)


class PresetCommands(LibraryCommands):
    """The presets alone: what the form's preset key (ctrl+o) opens."""

    EXPORTS = False
