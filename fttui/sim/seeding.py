"""Existing generations and playlists for scale tests and the demo (`--generations N`,
`--playlists N`).

Made fast (10 000 in well under a second): only metadata, no audio, which the media
origin synthesises on first request.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from fttui.sim.accounts import DEMO_KEY
from fttui.sim.generation import UPLOAD_SECONDS, Generation, generation_time
from fttui.sim.playlists import Playlist
from fttui.sim.state import FAIL_MESSAGE, SimState
from fttui.sim.validation import LANGUAGES, MUSICAL_KEYS, SCALES

_STYLES = (
    "lofi chill piano night",
    "epic orchestral cinematic trailer",
    "jazz smooth saxophone evening",
    "synthwave retro drive neon",
    "ambient drone meditation pads",
    "funk groovy bass slap",
    "acoustic folk guitar campfire",
    "techno dark warehouse pulse",
    "bossa nova soft rain cafe",
    "celtic fiddle highland dance",
    "trap heavy 808 night city",
    "baroque harpsichord fugue",
)
_LYRICS = ("", "la la la under the moon", "walking home alone tonight\nstreetlights humming")


def add_existing(state: SimState, count: int, key: str = DEMO_KEY) -> None:
    """Give `key`'s account `count` older generations: mostly completed, about one in
    forty failed, and the newest still processing (when count ≥ 3)."""
    if count <= 0:
        return
    rng = state.rng  # the same seeded stream as the rest of the run
    with state.lock:
        account = state.account(key)
        now = state.now()
        wall = state.clock.now()
        for index in range(count):
            newest = index == count - 1
            # Oldest first, one every ~37 minutes; the jitter never reorders them.
            age = 0.0 if newest and count >= 3 else (count - index) * 2220.0 - rng.uniform(0, 1500)
            gen_id = state.new_id()
            seed = rng.randrange(2**31)
            gen_time = generation_time(gen_id, seed)
            created_mono = now - age
            end = created_mono + (gen_time + UPLOAD_SECONDS) / state.speed
            failed = index % 40 == 17
            lyrics = rng.choice(_LYRICS)
            state.add(
                Generation(
                    id=gen_id,
                    account_id=account.id,
                    prompt=f"{rng.choice(_STYLES)} #{index + 1}",
                    lyrics=lyrics or None,
                    duration=rng.choice((10, 15, 30, 45, 60, 90, 120, 180)),
                    bpm=rng.randrange(60, 201),
                    language=rng.choice(LANGUAGES),
                    key=rng.choice(MUSICAL_KEYS),
                    scale=rng.choice(SCALES),
                    timesignature=rng.choice("2334444567"),
                    seed=seed,
                    created_at=wall - timedelta(seconds=age),
                    created_mono=created_mono,
                    start_mono=created_mono,
                    end_mono=end,
                    generation_time=gen_time,
                    error_message=FAIL_MESSAGE if failed else None,
                    is_public=rng.random() < 0.2,
                    play_count=rng.randrange(0, 50),
                    like_count=rng.randrange(0, 10),
                    download_count=rng.randrange(0, 5),
                )
            )


_PLAYLISTS = (
    ("Focus Beats", "Deep work background loops"),
    ("Podcast Intros", None),
    ("Late Night Drive", "Synths and slow tempos after dark"),
    ("Sketches", None),
    ("Favourites", "The keepers"),
    ("Workout", "Fast and loud"),
)
DEMO_PLAYLISTS = 3
"""How many playlists a run with seeded generations gets unless told (the demo's)."""


def add_playlists(state: SimState, count: int, key: str = DEMO_KEY) -> None:
    """Give `key`'s account `count` playlists of its completed generations, every second
    one public and holding only public tracks (the API cannot create playlists).

    Drawn from their own RNG, so the ids of everything else stay as they were."""
    if count <= 0:
        return
    rng = random.Random(f"playlists:{state.seed}")
    with state.lock:
        account = state.account(key)
        now = state.now()
        wall = state.clock.now()
        done = [g for g in state.generations(key) if g.status(now) == "completed"]
        public = [g for g in done if g.is_public]
        for index in range(count):
            name, description = _PLAYLISTS[index % len(_PLAYLISTS)]
            if index >= len(_PLAYLISTS):
                name = f"{name} {index // len(_PLAYLISTS) + 1}"
            is_public = index % 2 == 1
            pool = public if is_public else done
            tracks = rng.sample(pool, min(len(pool), rng.randrange(3, 13)))
            age = (count - index) * 86400.0 + rng.uniform(0, 3600)
            state.playlists.add(
                Playlist(
                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    owner_id=account.id,
                    name=name,
                    description=description,
                    is_public=is_public,
                    created_at=wall - timedelta(seconds=age),
                    updated_at=wall - timedelta(seconds=age / 2),
                    track_ids=[g.id for g in tracks],
                )
            )
