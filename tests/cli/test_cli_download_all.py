"""`fttui download --all`: every finished track not saved yet, run as the real program
against the simulator. Resumable: what is on disk already is never fetched again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fttui.cli.exit_codes import ExitCode
from fttui.clock import VirtualClock
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim
from tests.cli.test_cli import fttui
from tests.conftest import SimFactory


def _still_sim(sim_factory: SimFactory, generations: int) -> RunningSim:
    """A simulator whose time stands still: no generation finishes during a test."""
    return sim_factory(generations=generations, clock=VirtualClock())


def _finished(sim: RunningSim) -> list[str]:
    now = sim.state.now()
    return [g.id for g in sim.state.generations(DEMO_KEY) if g.status(now) == "completed"]


def _audio(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix != ".txt")


def test_download_all_saves_every_finished_track_and_a_second_run_saves_nothing(
    sim_factory: SimFactory, tmp_path: Path
) -> None:
    sim = _still_sim(sim_factory, 12)
    finished = _finished(sim)
    first = fttui("download", "--all", str(tmp_path), "--base-url", sim.base_url)
    assert first.returncode == ExitCode.OK, first.stderr
    saved = _audio(tmp_path)
    assert len(saved) == len(finished) > 1
    assert all(any(f"[{i}]" in p.name for p in saved) for i in finished), "named as `download`"
    assert first.stdout.strip() == f"saved {len(finished)} new, 0 already saved"
    fetched = len(sim.media_requests)
    second = fttui("download", "--all", str(tmp_path), "--base-url", sim.base_url)
    assert second.returncode == ExitCode.OK, second.stderr
    assert second.stdout.strip() == f"saved 0 new, {len(finished)} already saved"
    assert _audio(tmp_path) == saved and len(sim.media_requests) == fetched


def test_download_all_goes_on_from_what_single_downloads_saved(
    sim_factory: SimFactory, tmp_path: Path
) -> None:
    sim = _still_sim(sim_factory, 8)
    finished = _finished(sim)
    one = fttui("download", finished[0], str(tmp_path), "--base-url", sim.base_url)
    assert one.returncode == ExitCode.OK, one.stderr
    result = fttui("download", "--all", str(tmp_path), "--json", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.OK, result.stderr
    summary = json.loads(result.stdout)
    assert summary["alreadySaved"] == 1 and summary["failed"] == []
    assert {s["id"] for s in summary["saved"]} == set(finished[1:])
    assert all(Path(s["savedTo"]).is_file() for s in summary["saved"])


def test_download_all_reports_a_failed_track_and_the_transport_exit(
    sim_factory: SimFactory, tmp_path: Path
) -> None:
    sim = _still_sim(sim_factory, 6)
    sim.set_faults(html_audio="1")
    result = fttui("download", "--all", str(tmp_path), "--base-url", sim.base_url)
    assert result.returncode == ExitCode.TRANSPORT
    assert "web page" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.strip().endswith(f"{len(_finished(sim))} failed")
    assert list(tmp_path.iterdir()) == []


def test_download_all_draws_a_progress_bar_on_a_terminal(
    sim_factory: SimFactory, tmp_path: Path
) -> None:
    sim = _still_sim(sim_factory, 6)
    leader, follower = os.openpty()
    env = {**os.environ, "FINETUNING_API_KEY": DEMO_KEY}
    process = subprocess.run(
        [sys.executable, "-m", "fttui", "download", "--all", str(tmp_path),
         "--base-url", sim.base_url],
        stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL, env=env, timeout=120,
    )  # fmt: skip
    os.close(follower)
    drawn = b""
    try:
        while chunk := os.read(leader, 65536):
            drawn += chunk
    except OSError:
        pass  # the terminal's other end is closed: everything was read
    os.close(leader)
    assert process.returncode == ExitCode.OK
    total = len(_finished(sim))
    assert f"] 0/{total} ".encode() in drawn and b"[" + b"-" * 10 in drawn
    assert process.stdout.decode().strip() == f"saved {total} new, 0 already saved"


def test_download_needs_an_id_or_all(sim: RunningSim) -> None:
    result = fttui("download", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.USAGE and "--all" in result.stderr
