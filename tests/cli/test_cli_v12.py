"""The API v1.2 headless commands, run as the real program against the simulator over
HTTP: webhooks, instrumentals, sound effects, delete, playlists, `list --type`."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from fttui.api.journal import SubmissionJournal
from fttui.cli import build_parser
from fttui.cli.exit_codes import ExitCode
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim
from tests.cli.test_cli import fttui

SimFactory = Callable[..., RunningSim]
WAIT = 30.0  # seconds: a bound on a wait, never a delay


class Receiver:
    """A webhook receiver on loopback: records each POST body."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(204)
                self.end_headers()
                with receiver._changed:
                    receiver.bodies.append(json.loads(body))
                    receiver._changed.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait_for(self, count: int) -> list[dict[str, Any]]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.bodies) >= count, WAIT)
            return list(self.bodies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def run_json(*args: str, code: int = ExitCode.OK) -> Any:
    result = fttui(*args, "--json")
    assert result.returncode == code, result.stderr
    return json.loads(result.stdout)


def test_help_lists_every_headless_command() -> None:
    text = build_parser().format_help()
    for name in ("instrumental", "sfx", "delete", "playlists", "playlist", "doctor"):
        assert name in text


def test_generate_with_a_webhook_is_delivered_to_a_loopback_receiver(
    sim: RunningSim, receiver: Receiver
) -> None:
    created = run_json(
        "generate", "hooked lofi", "--webhook", receiver.url, "--base-url", sim.base_url
    )
    assert created["webhook"] == receiver.url
    [delivered] = receiver.wait_for(1)
    assert delivered["id"] == created["id"] and delivered["status"] == "completed"


def test_generate_refuses_a_webhook_to_a_private_host(sim: RunningSim) -> None:
    result = fttui("generate", "x", "--webhook", "https://10.0.0.1/h", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.USAGE
    assert "webhook" in result.stderr
    assert sim.post_count() == 0


def test_generate_no_wait_returns_at_once_and_conflicts_with_wait(sim: RunningSim) -> None:
    created = run_json("generate", "quick one", "--no-wait", "--base-url", sim.base_url)
    assert created["status"] in ("pending", "processing")
    both = fttui("generate", "quick one", "--no-wait", "--wait", "--base-url", sim.base_url)
    assert both.returncode == ExitCode.USAGE
    assert "not allowed with" in both.stderr


def test_instrumental_json_and_list_type_instrumental(sim: RunningSim) -> None:
    made = run_json(
        "instrumental", "warm pads", "--duration", "40", "--seed", "7", "--base-url", sim.base_url
    )
    assert made["type"] == "instrumental"
    run_json("generate", "a song", "--base-url", sim.base_url)
    only = run_json("list", "--type", "instrumental", "--base-url", sim.base_url)
    assert [g["id"] for g in only["generations"]] == [made["id"]]
    music = run_json("list", "--type", "music", "--base-url", sim.base_url)
    assert made["id"] not in [g["id"] for g in music["generations"]]
    human = fttui("instrumental", "more pads", "--base-url", sim.base_url)
    assert human.returncode == ExitCode.OK and human.stdout.strip()


def test_instrumental_whose_answer_was_dropped_is_not_sent_again(sim: RunningSim) -> None:
    # Created and charged, the answer lost, and the list unreadable while this run looks.
    sim.set_faults(drop_after_commit="next:1", internal_error="rate:1,only:GET")
    command = ("instrumental", "lost answer pads", "--duration", "45", "--base-url", sim.base_url)
    first = fttui(*command, "--json")
    assert first.returncode == ExitCode.UNCONFIRMED, first.stderr
    [made] = sim.state.generations(DEMO_KEY)
    assert len(SubmissionJournal().pending()) == 1

    sim.set_faults(internal_error="rate:0")
    again = fttui(*command, "--json")
    assert again.returncode == ExitCode.OK, again.stderr
    assert json.loads(again.stdout)["id"] == made.id
    assert "created" in again.stderr
    assert sim.generation_count() == 1  # the same command did not POST it again
    assert SubmissionJournal().pending() == []


def test_sfx_create_list_show_download(sim: RunningSim, tmp_path: Path) -> None:
    base = ("--base-url", sim.base_url)
    made = run_json("sfx", "create", "door slam", "--duration", "2", *base)
    assert made["prompt"] == "door slam" and "dailyRemaining" in made
    listed = run_json("sfx", "list", *base)
    assert [e["id"] for e in listed["soundEffects"]] == [made["id"]]
    assert "hasMore" in listed
    human_list = fttui("sfx", "list", *base)
    assert made["id"] in human_list.stdout and "door slam" in human_list.stdout
    # Asked again until it completes (each run takes a while: no sleep needed).
    deadline = time.monotonic() + WAIT
    while (shown := run_json("sfx", "show", made["id"], *base))["status"] != "completed":
        assert time.monotonic() < deadline, shown
    saved = run_json("sfx", "download", made["id"], str(tmp_path), *base)
    path = Path(saved["savedTo"])
    assert path.parent == tmp_path and path.stat().st_size > 1000
    missing = fttui("sfx", "show", "no-such-effect", *base)
    assert missing.returncode == ExitCode.NOT_FOUND


def test_delete_partial_lists_both_and_exits_not_found(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=3, playlists=0)
    ids = [g.id for g in sim.state.generations(DEMO_KEY)]
    data = run_json(
        "delete", ids[0], "no-such-id", "--yes", "--base-url", sim.base_url, code=ExitCode.NOT_FOUND
    )
    assert data["deleted"] == [ids[0]]
    assert [e["id"] for e in data["errors"]] == ["no-such-id"]
    assert sim.generation_count() == 2
    human = fttui("delete", ids[1], "--yes", "--base-url", sim.base_url)
    assert human.returncode == ExitCode.OK
    assert f"deleted: {ids[1]}" in human.stdout


def test_delete_without_a_terminal_and_without_yes_refuses(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=2, playlists=0)
    ids = [g.id for g in sim.state.generations(DEMO_KEY)]
    result = fttui("delete", *ids, "--base-url", sim.base_url, stdin="y\n")
    assert result.returncode == ExitCode.USAGE
    assert "--yes" in result.stderr
    assert sim.generation_count() == 2


def test_playlists_and_playlist_show(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=2, playlists=0)
    ids = [g.id for g in sim.state.generations(DEMO_KEY)]
    mine = sim.add_playlist("Night drive", track_ids=[ids[0]])
    listed = run_json("playlists", "--base-url", sim.base_url)
    assert [(p["id"], p["trackCount"]) for p in listed["playlists"]] == [(mine, 1)]
    assert "Night drive" in fttui("playlists", "--base-url", sim.base_url).stdout
    shown = run_json("playlist", "show", mine, "--base-url", sim.base_url)
    assert [t["id"] for t in shown["tracks"]] == [ids[0]]
    missing = fttui("playlist", "show", "nope", "--base-url", sim.base_url)
    assert missing.returncode == ExitCode.NOT_FOUND


def test_playlist_add_remove_move_per_item(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=2, playlists=0)
    first, second = (g.id for g in sim.state.generations(DEMO_KEY))
    for track in (first, second):
        sim.set_public(track, False)
    private = sim.add_playlist("Mine")
    public = sim.add_playlist("Shared", public=True)
    base = ("--base-url", sim.base_url)

    added = run_json("playlist", "add", private, first, "no-such", *base, code=ExitCode.NOT_FOUND)
    assert added["added"] == [first] and [e["id"] for e in added["errors"]] == ["no-such"]

    # ADD_FAILED: nothing added; each item's reason is printed, not one opaque error.
    refused = fttui("playlist", "add", public, second, *base)
    assert refused.returncode == ExitCode.NOT_FOUND
    assert f"not added: {second} (Cannot add private track to public playlist)" in refused.stdout

    # MOVE_FAILED: a private track cannot go to a public playlist.
    moved = run_json("playlist", "move", private, first, "--to", public, *base, code=6)
    assert moved["moved"] == [] and moved["errors"][0]["id"] == first

    other = sim.add_playlist("Other")
    moved = run_json("playlist", "move", private, first, "--to", other, *base)
    assert moved == {"moved": [first], "errors": []}

    removed = run_json("playlist", "remove", other, first, second, *base, code=6)
    assert removed["removed"] == [first] and [e["id"] for e in removed["errors"]] == [second]


def test_a_playlist_change_whose_answer_was_lost_says_so_on_stderr(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory(generations=1, playlists=0)
    track = next(g.id for g in sim.state.generations(DEMO_KEY))
    mine = sim.add_playlist("Mine")
    sim.set_faults(drop_after_commit="next:1,only:POST")  # added, then the answer cut
    result = fttui("playlist", "add", mine, track, "--base-url", sim.base_url)
    assert result.returncode == ExitCode.NOT_FOUND
    assert f"not added: {track} (Track already in playlist)" in result.stdout
    assert "may have been done by the first try" in result.stderr
    assert "first try" not in result.stdout  # stdout stays the per-item list
    playlist = sim.state.playlists.get(mine)
    assert playlist is not None and playlist.track_ids == [track]


def _delete_on_a_terminal(sim: RunningSim, ids: list[str], answer: str) -> tuple[int, str]:
    """Run `delete` with a terminal as its stdin, and answer its question."""
    leader, follower = pty.openpty()
    env = {**os.environ, "FINETUNING_API_KEY": DEMO_KEY}
    child = subprocess.Popen(
        [sys.executable, "-m", "fttui", "delete", *ids, "--base-url", sim.base_url],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    os.close(follower)
    try:
        os.write(leader, answer.encode())
        out, err = child.communicate(timeout=120)
    finally:
        os.close(leader)
    return child.returncode, out + err


def test_delete_asks_on_a_terminal_and_deletes_only_on_yes(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=2, playlists=0)
    ids = [g.id for g in sim.state.generations(DEMO_KEY)]
    code, text = _delete_on_a_terminal(sim, ids, "n\n")
    assert code == ExitCode.OK and "Delete 2 generations permanently? [y/N]" in text
    assert sim.generation_count() == 2
    code, text = _delete_on_a_terminal(sim, ids, "y\n")
    assert code == ExitCode.OK, text
    assert sim.generation_count() == 0


def test_sfx_create_when_the_day_is_used_up_exits_with_the_limit_code(sim: RunningSim) -> None:
    sim.set_sound_effects_used_today(100)
    result = fttui("sfx", "create", "door slam", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.LIMIT, result.stderr
    assert "today" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "sfx", "list"],
        ["sfx", "--json", "list"],
        ["sfx", "list", "--json"],
        ["--json", "playlist", "show", "p1"],
        ["playlist", "--json", "show", "p1"],
        ["playlist", "show", "p1", "--json"],
    ],
)
def test_global_options_work_at_every_level_of_a_nested_command(argv: list[str]) -> None:
    args = build_parser().parse_args([*argv, "--base-url", "http://127.0.0.1:9"])
    assert args.json is True
    assert args.base_url == "http://127.0.0.1:9"
