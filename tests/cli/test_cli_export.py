"""`fttui export`: the cached library as CSV or JSON, run as the real program against
the simulator (`--sync` fills the cache first; without it, the cache is read offline)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fttui.cli.exit_codes import ExitCode
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim
from tests.cli.test_cli import fttui
from tests.conftest import SimFactory


def _server_ids(sim: RunningSim) -> set[str]:
    return {g.id for g in sim.state.generations(DEMO_KEY)}


def test_export_json_holds_every_generation_with_parameters_seed_and_times(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory(generations=130)  # more than two list pages
    result = fttui("export", "--sync", "--format", "json", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.OK, result.stderr
    rows = json.loads(result.stdout)["generations"]
    assert {r["id"] for r in rows} == _server_ids(sim)
    done = next(r for r in rows if r["status"] == "completed")
    for name in ("bpm", "duration", "seed", "createdAt", "completedAt", "tags"):
        assert done[name] not in (None, ""), name
    assert {"lyrics", "key", "scale", "localFile"} <= done.keys()


def test_export_reads_the_cache_offline_without_a_key(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=12)
    assert fttui("export", "--sync", "--base-url", sim.base_url).returncode == ExitCode.OK
    # No key and a server that is not there: the cache alone answers.
    offline = fttui("export", "--format", "csv", "--base-url", "http://127.0.0.1:9", key=None)
    assert offline.returncode == ExitCode.OK, offline.stderr
    rows = list(csv.DictReader(io.StringIO(offline.stdout)))
    assert len(rows) == 12 and rows[0]["id"]


def test_export_filters_by_status(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=40)
    result = fttui(
        "export", "--sync", "--status", "failed", "--format", "json", "--base-url", sim.base_url
    )
    rows = json.loads(result.stdout)["generations"]
    assert rows and {r["status"] for r in rows} == {"failed"}


def test_export_never_overwrites_a_file_without_force(
    sim_factory: SimFactory, tmp_path: Path
) -> None:
    sim = sim_factory(generations=5)
    target = tmp_path / "library.csv"
    target.write_text("mine\n")
    refused = fttui("export", "--sync", str(target), "--base-url", sim.base_url)
    assert refused.returncode == ExitCode.USAGE
    assert "--force" in refused.stderr and target.read_text() == "mine\n"
    forced = fttui("export", "--sync", str(target), "--force", "--base-url", sim.base_url)
    assert forced.returncode == ExitCode.OK, forced.stderr
    assert target.read_text().startswith("id,") and "exported 5 generations" in forced.stderr


def test_export_names_the_local_file_of_a_downloaded_track(
    sim_factory: SimFactory, fttui_home: Path
) -> None:
    sim = sim_factory(generations=4)
    now = sim.state.now()
    done = next(g.id for g in sim.state.generations(DEMO_KEY) if g.status(now) == "completed")
    saved = fttui("download", done, "--base-url", sim.base_url)
    assert saved.returncode == ExitCode.OK, saved.stderr
    result = fttui("export", "--sync", "--format", "json", "--base-url", sim.base_url)
    rows = {r["id"]: r for r in json.loads(result.stdout)["generations"]}
    assert rows[done]["localFile"] == saved.stdout.strip()
    assert all(r["localFile"] is None for i, r in rows.items() if i != done)
