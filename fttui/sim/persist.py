"""The simulator's generations in a file, so that a restarted demo keeps its history.

Only the demo uses it (`start(state_file=...)`): a newcomer's generations must still be
there after quitting. Schedules are kept relative to the moment of saving and moved on
by the wall time that passed, so a generation that was rendering when the demo was
quit has finished (or nearly) when it comes back. Accounts, limits and playlists start
afresh; the random stream goes on where it stopped, so ids are never reused.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from fttui.atomic import write_atomic
from fttui.sim.generation import Generation
from fttui.sim.state import SimState

log = logging.getLogger(__name__)

VERSION = 1
_TIMES = ("created_mono", "start_mono", "end_mono")


def save(state: SimState, path: Path) -> None:
    """Write every generation and the random stream's position to `path`."""
    with state.lock:
        now = state.now()
        generations = []
        for gen in state.all_generations():
            fields = dataclasses.asdict(gen)
            fields["created_at"] = gen.created_at.isoformat()
            for name in _TIMES:
                fields[name] = fields[name] - now  # seconds from the moment of saving
            generations.append(fields)
        data = {
            "version": VERSION,
            "saved_at": state.clock.now().isoformat(),
            "rng": state.rng.getstate(),
            "generations": generations,
        }
    try:
        write_atomic(path, json.dumps(data))
    except OSError as exc:
        # The demo goes on without its history rather than stopping.
        log.warning("could not save the simulator's state to %s: %s", path, exc)


def load(state: SimState, path: Path) -> bool:
    """Put back what `save` wrote; False (and nothing changed) if there is nothing usable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return False
        elapsed = max(
            0.0, (state.clock.now() - datetime.fromisoformat(data["saved_at"])).total_seconds()
        )
        restored = [_generation(fields, state.now() - elapsed) for fields in data["generations"]]
        version, internal, gauss = data["rng"]
        rng_state = (version, tuple(internal), gauss)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if not isinstance(exc, FileNotFoundError):
            log.warning("ignoring the simulator's unreadable state %s: %s", path, exc)
        return False
    with state.lock:
        state.rng.setstate(rng_state)
        for gen in restored:
            state.add(gen)
    return True


def _generation(fields: dict[str, Any], base: float) -> Generation:
    fields = dict(fields)
    fields["created_at"] = datetime.fromisoformat(fields["created_at"])
    for name in _TIMES:
        fields[name] = base + float(fields[name])
    return Generation(**fields)
