"""Deterministic music-like audio from a generation's parameters.

A chord progression in the key and scale, pads on its chord tones, a bass line on the
beat, a seeded melody and a click on every beat (accented on the bar's first).

Pure-Python per-sample loops over millions of samples would be far too slow, so:
every voice is a sequence of notes laid end to end (concatenating arrays runs in C);
a note is one waveform cycle repeated, its envelope applied in whole-cycle steps from
a few pre-scaled copies of that cycle; the voices are mixed once over a loop of a few
bars, and the loop is tiled to the requested duration.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass

SAMPLE_RATE = 44100
_LEVELS = 48  # envelope resolution: gains are rounded to 1/48 of the note's peak
_TWO_PI = 2.0 * math.pi

_SCALE_STEPS = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
}
# Scale degrees (0-based) of four-chord progressions that sound at home in each mode.
_PROGRESSIONS = {
    "major": ((0, 5, 3, 4), (0, 3, 4, 3), (0, 4, 5, 3), (5, 3, 0, 4), (0, 3, 0, 4)),
    "minor": ((0, 5, 2, 6), (0, 3, 4, 0), (0, 6, 5, 6), (0, 5, 3, 4), (0, 3, 6, 2)),
}
_NOTE_INDEX = {
    name: i
    for i, name in enumerate(("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"))
}

# Harmonic recipes: (harmonic number, relative amplitude).
_PAD = ((1, 1.0), (2, 0.35), (3, 0.12))
_BASS = ((1, 1.0), (2, 0.5), (3, 0.25))
_LEAD = ((1, 1.0), (2, 0.2), (3, 0.15), (4, 0.05))


@dataclass(frozen=True)
class Track:
    """What to play: the parameters a generation echoes."""

    duration: int
    bpm: int
    key: str
    scale: str
    timesignature: str
    seed: int


def _cycle(midi: int, harmonics: tuple[tuple[int, float], ...]) -> list[float]:
    """One period (whole samples, so it tiles seamlessly) of the note, peak about 1."""
    freq = 440.0 * 2.0 ** ((midi - 69) / 12.0)
    period = max(4, round(SAMPLE_RATE / freq))
    norm = sum(a for _, a in harmonics)
    return [
        sum(a * math.sin(_TWO_PI * h * i / period) for h, a in harmonics) / norm
        for i in range(period)
    ]


class _Notes:
    """Renders notes, caching each (pitch, length, timbre) once per track."""

    def __init__(self) -> None:
        self._cycles: dict[tuple[int, int], list[float]] = {}
        self._notes: dict[tuple[int, int, int, int, float, float], array[int]] = {}

    def note(
        self,
        midi: int,
        length: int,
        harmonics: tuple[tuple[int, float], ...],
        peak: int,
        attack: float,
        decay: float,
    ) -> array[int]:
        """`length` samples: the note under an attack/exponential-decay envelope."""
        cache_key = (midi, length, id(harmonics), peak, attack, decay)
        cached = self._notes.get(cache_key)
        if cached is not None:
            return cached
        cycle = self._cycles.setdefault((midi, id(harmonics)), _cycle(midi, harmonics))
        period = len(cycle)
        reps = max(1, 512 // period)  # envelope steps every ~512 samples
        step = period * reps
        scaled: dict[int, bytes] = {}
        out = array("h")
        attack_n = max(1.0, attack * SAMPLE_RATE)
        decay_n = max(1.0, decay * SAMPLE_RATE)
        t = 0
        while t + step <= length:
            gain = min(1.0, (t + step / 2) / attack_n) * math.exp(-t / decay_n)
            level = round(gain * _LEVELS)
            block = scaled.get(level)
            if block is None:
                amp = peak * level / _LEVELS
                block = array("h", [int(amp * v) for v in cycle]).tobytes() * reps
                scaled[level] = block
            out.frombytes(block)
            t += step
        # The tail is shorter than a step: silence, so the note ends on a zero crossing.
        out.extend(_rest(length - t))
        self._notes[cache_key] = out
        return out


def _rest(length: int) -> array[int]:
    return array("h", bytes(2 * length))


def _click(rng: random.Random, length: int, peak: int) -> array[int]:
    """A short noise burst with a fast decay, padded to `length`."""
    burst = min(length, int(0.03 * SAMPLE_RATE))
    out = array(
        "h",
        [
            int(peak * rng.uniform(-1.0, 1.0) * math.exp(-i / (0.006 * SAMPLE_RATE)))
            for i in range(burst)
        ],
    )
    out.extend(_rest(length - burst))
    return out


def _melody_bar(
    rng: random.Random,
    beats: int,
    beat: int,
    chord: tuple[int, ...],
    scale_notes: list[int],
    notes: _Notes,
) -> array[int]:
    """One bar of melody: seeded half-beat rhythm, stepwise motion, chord tones on beats."""
    half = beat // 2
    slots = beats * 2
    out = array("h")
    position = 0
    index = rng.randrange(len(scale_notes))
    while position < slots:
        span = min(slots - position, rng.choice((1, 1, 2, 2, 3, 4)))
        length = span * half if position + span < slots else beat * beats - len(out)
        if rng.random() < 0.15:
            out.extend(_rest(length))
        else:
            if position % 2 == 0 and rng.random() < 0.6:
                target = rng.choice(chord) + 72
                index = min(range(len(scale_notes)), key=lambda i: abs(scale_notes[i] - target))
            else:
                index = max(0, min(len(scale_notes) - 1, index + rng.choice((-2, -1, -1, 1, 1, 2))))
            out.extend(notes.note(scale_notes[index], length, _LEAD, 6000, 0.006, 0.22))
        position += span
    return out


def synthesize(track: Track) -> array[int]:
    """The whole track as signed 16-bit mono samples at SAMPLE_RATE."""
    rng = random.Random(f"{track.seed}:{track.bpm}:{track.key}:{track.scale}:{track.timesignature}")
    total = track.duration * SAMPLE_RATE
    beats = int(track.timesignature)
    beat = round(SAMPLE_RATE * 60 / track.bpm)
    bar = beat * beats
    root = _NOTE_INDEX[track.key]
    steps = _SCALE_STEPS[track.scale]
    degrees = rng.choice(_PROGRESSIONS[track.scale])
    scale_notes = [60 + root + 12 * octave + s for octave in (0, 1) for s in steps] + [84 + root]
    bass_pattern = [rng.choice((0, 0, 0, 4)) if b else 0 for b in range(beats)]

    def chord_of(degree: int) -> tuple[int, ...]:
        return tuple(root + steps[(degree + k) % 7] + 12 * ((degree + k) // 7) for k in (0, 2, 4))

    loop_bars = 8 if bar <= 4 * SAMPLE_RATE else 4
    loop_bars = max(1, min(loop_bars, -(-total // bar)))
    notes = _Notes()
    pads: list[array[int]] = [array("h"), array("h"), array("h")]
    bass = array("h")
    lead = array("h")
    click = array("h")
    accent = _click(rng, beat, 4500)
    tick = _click(rng, beat, 2200)
    for b in range(loop_bars):
        chord = chord_of(degrees[b % len(degrees)])
        for voice, tone in zip(pads, chord, strict=True):
            voice.extend(notes.note(57 + (tone - 57) % 12, bar, _PAD, 3000, 0.12, 2.5))
        for i in range(beats):
            tone = chord[0] if bass_pattern[i] == 0 else chord[2]
            bass.extend(notes.note(36 + tone % 12, beat, _BASS, 8000, 0.004, 0.3))
            click.extend(accent if i == 0 else tick)
        lead.extend(_melody_bar(rng, beats, beat, chord, scale_notes, notes))

    loop = array("h", map(sum, zip(*pads, bass, lead, click, strict=True)))
    repeats = -(-total // len(loop))
    samples = (loop * repeats)[:total]
    _fade(samples, SAMPLE_RATE * 2)
    return samples


def _fade(samples: array[int], length: int) -> None:
    """Fade the last `length` samples out, in place."""
    length = min(length, len(samples))
    start = len(samples) - length
    for i in range(length):
        samples[start + i] = int(samples[start + i] * (1.0 - i / length))
