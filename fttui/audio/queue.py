"""The play queue: the tracks to play one after another, with repeat and shuffle.

Whoever starts playing hands the tracks (the list's finished generations from the
selected one on, or a playlist's tracks); the player asks `following` when a track
ends. Shuffle plays each track once in a random order; repeat starts over after the
last one.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from fttui.audio.track import Track


@dataclass
class PlayQueue:
    """Tracks in order, the one playing, and the two toggles."""

    tracks: list[Track] = field(default_factory=list)
    index: int = 0
    repeat: bool = False
    shuffle: bool = False
    rng: random.Random = field(default_factory=random.Random, repr=False)
    _played: set[int] = field(default_factory=set, repr=False)

    def load(self, tracks: Sequence[Track], start: int = 0) -> Track | None:
        """Play `tracks` from `start` on (the toggles stay as they were)."""
        self.tracks = list(tracks)
        self.index = min(max(0, start), max(0, len(self.tracks) - 1))
        self._played = {self.index} if self.tracks else set()
        return self.current

    @property
    def current(self) -> Track | None:
        return self.tracks[self.index] if 0 <= self.index < len(self.tracks) else None

    @property
    def position(self) -> str:
        """Where the queue is, as the bar shows it ("2/5"); empty for a single track."""
        return f"{self.index + 1}/{len(self.tracks)}" if len(self.tracks) > 1 else ""

    def following(self) -> Track | None:
        """Move on to the track to play when the current one ends (None: the queue ends)."""
        if not self.tracks:
            return None
        if self.shuffle:
            left = [i for i in range(len(self.tracks)) if i not in self._played]
            if not left:
                if not self.repeat:
                    return None
                self._played = set()
                left = [i for i in range(len(self.tracks)) if i != self.index] or [self.index]
            self.index = self.rng.choice(left)
        elif self.index + 1 < len(self.tracks):
            self.index += 1
        elif self.repeat:
            self.index = 0
        else:
            return None
        self._played.add(self.index)
        return self.current

    def drop(self, ids: Collection[str]) -> bool:
        """Take the tracks of `ids` out (deleted: their audio is gone); the rest keep their
        order and what was played. True when the current track was one of them: the
        position then stays where it was, so the one after it still comes next."""
        current = self.current
        went = current is not None and current.id in ids
        played = {self.tracks[i].id for i in self._played if i < len(self.tracks)}
        before = sum(1 for track in self.tracks[: self.index] if track.id not in ids)
        self.tracks = [track for track in self.tracks if track.id not in ids]
        self.index = before - 1 if went else before
        self._played = {i for i, track in enumerate(self.tracks) if track.id in played}
        return went

    def toggle_repeat(self) -> bool:
        self.repeat = not self.repeat
        return self.repeat

    def toggle_shuffle(self) -> bool:
        self.shuffle = not self.shuffle
        self._played = {self.index} if self.tracks else set()
        return self.shuffle
