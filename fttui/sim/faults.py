"""Opt-in faults, targetable so tests stay deterministic.

A `FaultRule` fires on the next `next` matching requests, then on each further one
with probability `rate` drawn from a seeded RNG. `only` narrows it to one HTTP method.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

RULE_KINDS = (
    "internal_error",
    "generation_failed",
    "html_502",
    "malformed_json",
    "drop_after_commit",
    "close_idle",
    "truncated_audio",
    "html_audio",
    "empty_audio",
    "json_audio",
    "oversize_audio",
    "stalled_audio",
    "trickle_audio",
    "post_final",
    "stuck_next_offset",
    "ignore_limit",
    "huge_timestamp",
)


@dataclass
class FaultRule:
    """When one kind of fault fires."""

    next: int = 0
    rate: float = 0.0
    only: str | None = None
    fired: int = 0

    @property
    def armed(self) -> bool:
        return self.next > 0 or self.rate > 0.0


@dataclass
class Faults:
    """Every fault knob of a running simulator; change them at any time.

    - latency: seconds added before every API answer (real time).
    - fail_rate: probability that a new generation ends `failed`.
    - internal_error: 500 INTERNAL_ERROR instead of handling the request (any endpoint).
    - generation_failed: 500 GENERATION_FAILED on a POST that passed every check;
      nothing is created or charged.
    - html_502: a proxy's HTML 502 page instead of the API's answer (any endpoint).
    - malformed_json: the real answer, its JSON cut in half (effects already applied).
    - drop_after_commit: a POST creates and charges (or adds, removes, moves, deletes),
      then the connection closes halfway through the body, so the client sees a
      transport error.
    - close_idle: as a request arrives, the API origin closes the connection without
      reading it or answering: what a server's keep-alive idle timeout does when it
      meets a request on a pooled connection. Nothing is done; the client cannot know.
    - truncated_audio: the media origin promises the whole file and sends half.
    - commit_latency: seconds a POST's answer is held after the generation was created
      and charged (real time): a client that gives up or is interrupted meanwhile never
      learns that it was created.
    - html_audio: the media origin answers 200 with a captive portal's HTML page.
    - empty_audio: the media origin answers 200 with an empty body.
    - json_audio: the media origin answers 200 with a JSON error document.
    - oversize_audio: the media origin streams (chunked, no length) four times the
      file, then ends.
    - stalled_audio: the media origin promises the file, sends its first 4 KiB, then
      nothing (it gives up after 60 s).
    - trickle_audio: like stalled_audio, but then one byte every 0.5 s, so no single
      read ever times out (it gives up after 60 s).
    - audio_origin: when set, the origin written into `audioUrl` instead of the media
      origin's (e.g. `file:///etc`, `javascript:alert(1)//`, `http://example.com`).
    - post_final: a POST's generation is over at once, so the POST answers `completed`
      (or `failed`, for tags with `fail-me`).
    - stuck_next_offset: a list page says hasMore with the same nextOffset it was asked
      for, so a client that trusts it walks in place.
    - ignore_limit: a list page holds up to 100 items whatever `limit` asked.
    - huge_timestamp: the first item of a list page (or a single generation) has
      `createdAt` and `completedAt` 1e300, a number no date can hold.
    """

    latency: float = 0.0
    fail_rate: float = 0.0
    internal_error: FaultRule = field(default_factory=FaultRule)
    generation_failed: FaultRule = field(default_factory=FaultRule)
    html_502: FaultRule = field(default_factory=FaultRule)
    malformed_json: FaultRule = field(default_factory=FaultRule)
    drop_after_commit: FaultRule = field(default_factory=FaultRule)
    close_idle: FaultRule = field(default_factory=FaultRule)
    truncated_audio: FaultRule = field(default_factory=FaultRule)
    html_audio: FaultRule = field(default_factory=FaultRule)
    empty_audio: FaultRule = field(default_factory=FaultRule)
    json_audio: FaultRule = field(default_factory=FaultRule)
    oversize_audio: FaultRule = field(default_factory=FaultRule)
    stalled_audio: FaultRule = field(default_factory=FaultRule)
    trickle_audio: FaultRule = field(default_factory=FaultRule)
    audio_origin: str | None = None
    post_final: FaultRule = field(default_factory=FaultRule)
    stuck_next_offset: FaultRule = field(default_factory=FaultRule)
    ignore_limit: FaultRule = field(default_factory=FaultRule)
    huge_timestamp: FaultRule = field(default_factory=FaultRule)
    seed: int = 0
    commit_latency: float = 0.0

    def __post_init__(self) -> None:
        self._rng = random.Random(f"faults:{self.seed}")
        self._lock = threading.Lock()

    def rule(self, kind: str) -> FaultRule:
        """The rule for `kind` (one of RULE_KINDS)."""
        if kind not in RULE_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(RULE_KINDS)}")
        rule = getattr(self, kind)
        assert isinstance(rule, FaultRule)
        return rule

    def fires(self, kind: str, method: str = "GET") -> bool:
        """Whether this request gets fault `kind`; consumes one of `next` if so."""
        with self._lock:
            rule = self.rule(kind)
            if rule.only is not None and rule.only.upper() != method.upper():
                return False
            if rule.next > 0:
                rule.next -= 1
            elif not (rule.rate > 0.0 and self._rng.random() < rule.rate):
                return False
            rule.fired += 1
            return True

    def draw_failure(self) -> bool:
        """Whether a new generation should fail, by `fail_rate`."""
        with self._lock:
            return self.fail_rate > 0.0 and self._rng.random() < self.fail_rate

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self.latency = 0.0
            self.fail_rate = 0.0
            self.commit_latency = 0.0
            self.audio_origin = None
            for kind in RULE_KINDS:
                setattr(self, kind, FaultRule())


def parse_rule(spec: str) -> FaultRule:
    """Read a rule from text: `0.1` (a rate), `next:3`, `rate:0.1`, `only:POST`, comma-joined."""
    rule = FaultRule()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition(":")
        try:
            if not sep:
                rule.rate = float(name)
            elif name == "next":
                rule.next = int(value)
            elif name == "rate":
                rule.rate = float(value)
            elif name == "only":
                rule.only = value.upper()
            else:
                raise ValueError(name)
        except ValueError:
            raise ValueError(
                f"bad fault rule {spec!r}: expected e.g. 0.1, next:3, only:POST"
            ) from None
    if not 0.0 <= rule.rate <= 1.0 or rule.next < 0:
        raise ValueError(f"bad fault rule {spec!r}: rate is 0..1, next is >= 0")
    return rule


def parse_fault(text: str) -> tuple[str, FaultRule]:
    """Read `KIND=RULE`, e.g. `drop_after_commit=next:1` (dashes allowed in KIND)."""
    kind, sep, spec = text.partition("=")
    kind = kind.strip().replace("-", "_")
    if not sep or kind not in RULE_KINDS:
        raise ValueError(
            f"bad fault {text!r}: expected KIND=RULE with KIND in {', '.join(RULE_KINDS)}"
        )
    return kind, parse_rule(spec)
