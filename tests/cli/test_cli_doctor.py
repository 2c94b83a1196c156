"""`fttui doctor`: every check reports on its own, and the key never appears."""

from __future__ import annotations

import json
import socket

from fttui.cli.exit_codes import ExitCode
from fttui.sim.accounts import DEMO_KEY, REVOKED_KEY
from fttui.sim.server import RunningSim
from tests.cli.test_cli import fttui


def _no_key_in(text: str, key: str) -> None:
    hex_part = key.removeprefix("ft_live_")
    assert key not in text
    assert hex_part not in text
    assert hex_part[:-4] not in text  # only what ApiKey.masked shows: the last four


def test_doctor_reports_health_key_plan_rate_paths_without_the_key(sim: RunningSim) -> None:
    result = fttui("doctor", "--json", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.OK, result.stderr
    _no_key_in(result.stdout + result.stderr, DEMO_KEY)
    report = json.loads(result.stdout)
    assert report["health"]["ok"] is True
    assert report["key"]["ok"] is True and report["key"]["from"] == "environment"
    assert report["plan"]["tier"] == "pro"
    assert report["rate"]["limit"] == 60 and report["rate"]["postLimit"] == 10
    assert report["journal"] == {"ok": True, "openEntries": 0}
    assert {"config", "cache", "log", "journal", "music"} <= set(report["paths"])
    assert set(report["versions"]) >= {"fttui", "python", "textual"}
    assert "backend" in report["audio"] and "ssh" in report["audio"]

    human = fttui("doctor", "--base-url", sim.base_url)
    assert human.returncode == ExitCode.OK
    _no_key_in(human.stdout + human.stderr, DEMO_KEY)
    for word in ("health", "key", "plan", "rate", "journal", "audio", "config"):
        assert word in human.stdout


def test_doctor_without_a_key_still_checks_the_rest(sim: RunningSim) -> None:
    result = fttui("doctor", "--json", "--base-url", sim.base_url, key=None)
    assert result.returncode == ExitCode.AUTH
    report = json.loads(result.stdout)
    assert report["health"]["ok"] is True
    assert report["key"] == {"present": False, "ok": False, "error": "no API key"}


def test_doctor_with_a_refused_key_says_so_without_it(sim: RunningSim) -> None:
    result = fttui("doctor", "--json", "--base-url", sim.base_url, key=REVOKED_KEY)
    assert result.returncode == ExitCode.AUTH
    _no_key_in(result.stdout + result.stderr, REVOKED_KEY)
    assert json.loads(result.stdout)["key"]["ok"] is False


def test_doctor_with_a_malformed_key_and_an_offline_server_does_not_crash() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = fttui("doctor", "--base-url", url, key="ft_live_not a key")
    assert result.returncode == ExitCode.TRANSPORT, result.stderr
    assert "not a key" not in result.stdout + result.stderr
    assert "health" in result.stdout and "key" in result.stdout
