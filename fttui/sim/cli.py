"""`fttui sim` / `python -m fttui.sim`: serve the simulator until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from fttui.sim import accounts
from fttui.sim.faults import RULE_KINDS, Faults, parse_fault
from fttui.sim.server import start

_KEYS = (
    ("demo (pro)", accounts.DEMO_KEY),
    ("lifetime", accounts.LIFETIME_KEY),
    ("pack credits only", accounts.PACK_ONLY_KEY),
    ("no API plan (403)", accounts.NO_API_PLAN_KEY),
    ("month used up (402)", accounts.EXHAUSTED_KEY),
    ("revoked (401)", accounts.REVOKED_KEY),
)


def _fault(text: str) -> tuple[str, object]:
    try:
        return parse_fault(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _mean_spread(text: str) -> tuple[float, float]:
    """ "50,20" -> (50.0, 20.0); "200" -> (200.0, 0.0)."""
    try:
        parts = [float(part) for part in text.split(",")]
    except ValueError:
        parts = []
    if not 1 <= len(parts) <= 2 or parts[0] <= 0 or (len(parts) == 2 and parts[1] < 0):
        raise argparse.ArgumentTypeError(f"expected MEAN or MEAN,SPREAD in seconds, not {text!r}")
    return parts[0], parts[1] if len(parts) == 2 else 0.0


def _by_duration(text: str) -> tuple[float, float, float]:
    """ "10,0.5,1.2" -> (10.0, 0.5, 1.2); "0,1" -> (0.0, 1.0, 0.0)."""
    try:
        parts = [float(part) for part in text.split(",")]
    except ValueError:
        parts = []
    if not 2 <= len(parts) <= 3 or any(part < 0 for part in parts):
        raise argparse.ArgumentTypeError(
            f"expected BASE,PER_SECOND or BASE,PER_SECOND,NOISE in seconds, not {text!r}"
        )
    return parts[0], parts[1], parts[2] if len(parts) == 3 else 0.0


def build_parser() -> argparse.ArgumentParser:
    """The simulator's command-line options."""
    parser = argparse.ArgumentParser(
        prog="fttui sim",
        description="Serve a local simulator of the finetuning.ai API and its media origin.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=8787, help="API port (0: any free port)")
    parser.add_argument("--media-port", type=int, default=0, help="media port (default: any free)")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="generation speed-up (rate limits never change)"
    )
    parser.add_argument(
        "--generation-seconds",
        type=_mean_spread,
        default=None,
        metavar="MEAN[,SPREAD]",
        help="model time uniform in MEAN-SPREAD..MEAN+SPREAD s (default: 6.0-8.4, as the vendor's)",
    )
    parser.add_argument(
        "--generation-by-duration",
        type=_by_duration,
        default=None,
        metavar="BASE,PER_SECOND[,NOISE]",
        help="model time BASE + PER_SECOND x the track's duration, +/- NOISE s "
        "(wins over --generation-seconds)",
    )
    parser.add_argument("--generations", type=int, default=0, help="start with N old generations")
    parser.add_argument(
        "--playlists",
        type=int,
        default=None,
        metavar="N",
        help="start with N playlists of those generations (default: 3 with --generations, "
        "else 0); the API cannot create playlists",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of ids, params and fault draws")
    parser.add_argument(
        "--worker-slots",
        type=int,
        default=None,
        help="generations processing at once; the rest wait as pending (default: no limit)",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument(
        "--commit-latency",
        type=float,
        default=0.0,
        help="seconds a POST's answer is held after the generation was created",
    )
    parser.add_argument(
        "--fail-rate", type=float, default=0.0, help="probability that a generation fails"
    )
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="KIND=RULE",
        help=f"KIND in {', '.join(RULE_KINDS)}; RULE like 0.1, next:3, next:1,only:POST",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl+C or SIGTERM; print the URLs and keys on start."""
    args = build_parser().parse_args(argv)
    faults = Faults(
        latency=args.latency,
        fail_rate=args.fail_rate,
        seed=args.seed,
        commit_latency=args.commit_latency,
    )
    for kind, rule in args.fault:
        setattr(faults, kind, rule)
    try:
        sim = start(
            speed=args.speed,
            generations=args.generations,
            playlists=args.playlists,
            faults=faults,
            seed=args.seed,
            host=args.host,
            port=args.port,
            media_port=args.media_port,
            worker_slots=args.worker_slots,
            generation_seconds=args.generation_seconds,
            generation_by_duration=args.generation_by_duration,
        )
    except OSError as exc:
        print(f"fttui sim: cannot listen: {exc}", file=sys.stderr)
        return 1

    stopping = threading.Event()

    def _on_term(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = signal.signal(signal.SIGTERM, _on_term)
    print("fttui simulator")
    print(f"  API:      {sim.base_url}")
    print(f"  Media:    {sim.media_url}")
    print(f"  Demo key: {sim.demo_key}")
    for label, key in _KEYS[1:]:
        print(f"  {label + ':':<22}{key}")
    print("Ctrl+C stops.", flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sim.close()
    return 0
