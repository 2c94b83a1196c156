"""The layering is checked without holes: every module that can do without Textual is
held to it by an import-linter contract that counts indirect imports too.

(`tests/test_quality.py` runs `lint-imports`; this checks that the contracts cover
what they should, so a new Textual-free module cannot slip out of them.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import grimp

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _textual_free_contracts() -> list[dict[str, Any]]:
    return [
        c
        for c in _contracts()
        if c["type"] == "forbidden" and {"textual", "rich"} <= set(c["forbidden_modules"])
    ]


def _covered(module: str) -> bool:
    for contract in _textual_free_contracts():
        for source in contract["source_modules"]:
            if module == source or module.startswith(source + "."):
                return True
    return False


def test_the_textual_free_contracts_count_indirect_imports() -> None:
    contracts = _textual_free_contracts()
    assert contracts
    assert all(c.get("allow_indirect_imports") is False for c in contracts)


def test_every_module_that_does_without_textual_is_held_to_it() -> None:
    graph = grimp.build_graph("fttui", include_external_packages=True)
    free = [
        module
        for module in sorted(graph.modules)
        if module.startswith("fttui.")
        and not any(
            graph.chain_exists(importer=module, imported=ui, as_packages=True)
            for ui in ("textual", "rich")
            if ui in graph.modules
        )
    ]
    assert [m for m in free if not _covered(m)] == []


def test_the_session_is_in_the_layers_between_the_tui_and_the_store() -> None:
    [layers] = [c for c in _contracts() if c["type"] == "layers"]
    order = [layer.split(" | ") for layer in layers["layers"]]
    flat = [name for layer in order for name in layer]
    assert flat.index("fttui.tui") < flat.index("fttui.session") < flat.index("fttui.store")
    assert flat.index("fttui.store") < flat.index("fttui.api")


def _store_reads(path: Path) -> list[int]:
    """Lines of `path` that reach a `.store` or `._store` attribute (the cache itself)."""
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ("store", "_store")
    )


def test_screens_and_widgets_never_reach_the_cache_but_through_the_session() -> None:
    # Imports alone cannot show it (the session hands its store around as an attribute):
    # only the app, which opens and closes the cache, holds it.
    tui = ROOT / "fttui" / "tui"
    reaching = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(tui.rglob("*.py"))
        if path.name != "app.py" and (lines := _store_reads(path))
    }
    assert reaching == {}
