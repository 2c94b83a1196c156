"""Every binding as a command-palette entry, and as a row of the help screen.

Both are read from the live bindings of the app, the screen and its widgets, so a new
binding shows up in the palette and in `?` without being listed a second time.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

# Where a binding works, by the kind of node that owns it.
_WHERE = {"App": "anywhere", "MainScreen": "main screen", "BrowsePane": "list"}


def _owners(app: App[object], screen: Screen[object]) -> Iterator[DOMNode]:
    yield app
    yield screen
    for node in screen.query("*"):
        if type(node).__module__.startswith("fttui."):
            yield node


def _where(node: DOMNode) -> str:
    name = type(node).__name__
    if isinstance(node, App):
        return "anywhere"
    return _WHERE.get(name, name.lstrip("_").replace("Table", "list"))


def collect_bindings(app: App[object], screen: Screen[object]) -> list[tuple[DOMNode, Binding]]:
    """(owner, binding) for every described binding, first owner of an action wins."""
    seen: set[tuple[str, str]] = set()
    found: list[tuple[DOMNode, Binding]] = []
    for node in _owners(app, screen):
        for bindings in node._bindings.key_to_bindings.values():
            for binding in bindings:
                if not binding.description or binding.system:
                    continue
                ident = (type(node).__name__, binding.action)
                if ident in seen:
                    continue
                seen.add(ident)
                found.append((node, binding))
    return found


def describe_bindings(app: App[object], screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(keys, description, where) for the help screen; keys of one action are merged."""
    rows: dict[tuple[str, str], list[str]] = {}
    for node, binding in collect_bindings(app, screen):
        display = binding.key_display or app.get_key_display(binding)
        rows.setdefault((binding.description, _where(node)), []).append(display)
    return [(" ".join(dict.fromkeys(keys)), desc, where) for (desc, where), keys in rows.items()]


class BindingCommands(Provider):
    """Palette entries that run the same actions as the keys."""

    def _commands(self) -> Iterator[tuple[str, str, partial[Any]]]:
        for node, binding in collect_bindings(self.app, self.screen):
            if not node.is_attached and node is not self.app:
                continue
            keys = binding.key_display or self.app.get_key_display(binding)
            run = partial(self.app.run_action, binding.action, node)
            yield binding.description, f"{keys} · {_where(node)}", run

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
