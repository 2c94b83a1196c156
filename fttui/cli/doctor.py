"""`fttui doctor`: what a user pastes into a bug report, without the key.

Each check reports its own result and never stops the others: no key, a malformed key,
an offline server, a broken config file or no audio device is one line each. The key is
shown only as `ApiKey.masked` (its prefix and last four characters).

Exit code: 0 when the server is up and the key accepted, 3 when the key is missing or
refused (or the plan has no API access), 5 when the server could not be reached.
Only argparse is imported at module level: `build_parser` runs before the app's first frame.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fttui.api.key import ApiKey
    from fttui.config import Settings


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    commands.add_parser(
        "doctor",
        parents=parents,
        help="check the setup: server, key, plan, limits, paths, audio (safe to share)",
    )


def _versions() -> dict[str, Any]:
    from importlib import metadata

    from fttui import __version__

    try:
        textual: str | None = metadata.version("textual")
    except metadata.PackageNotFoundError:
        textual = None
    return {
        "fttui": __version__,
        "python": platform.python_version(),
        "textual": textual,
        "platform": platform.platform(),
    }


def _paths() -> dict[str, Any]:
    from fttui import locations

    found: dict[str, Any] = {}
    for name, where in (
        ("config", locations.config_file),
        ("data", locations.data_dir),
        ("database", locations.database_file),
        ("journal", locations.journal_dir),
        ("cache", locations.cache_dir),
        ("audioCache", locations.audio_cache_dir),
        ("log", locations.log_file),
        ("music", locations.music_dir),
    ):
        try:
            found[name] = str(where())
        except (OSError, locations.LocationError) as exc:
            found[name] = f"unusable: {exc}"
    return found


def _journal() -> dict[str, Any]:
    from fttui.api.journal import SubmissionJournal

    try:
        return {"ok": True, "openEntries": len(SubmissionJournal().pending())}
    except OSError as exc:
        return {"ok": False, "error": f"cannot read the journal: {exc.strerror or exc}"}


def _audio(settings: Settings | None) -> dict[str, Any]:
    from fttui.audio.backends import NoAudioDevice, select_backend
    from fttui.audio.remote import is_remote_session

    name = settings.player_backend if settings is not None else "auto"
    report: dict[str, Any] = {"backend": name, "ssh": is_remote_session()}
    try:
        backend = select_backend(name)
        try:
            device = backend.open()
            report.update(ok=device.is_real, device=device.name, opened=device.backend)
            if not device.is_real:
                report["error"] = "the null backend plays nothing"
        finally:
            backend.close()
    except NoAudioDevice as exc:
        report.update(ok=False, error=str(exc))
    except Exception as exc:  # an audio library that fails to load is a finding too
        report.update(ok=False, error=f"{type(exc).__name__}: {exc}")
    return report


def _settings(args: argparse.Namespace) -> tuple[Settings | None, dict[str, Any]]:
    from fttui.cli.session import SetupError, settings_from

    try:
        settings = settings_from(args)
    except SetupError as exc:
        return None, {"ok": False, "error": str(exc)}
    return settings, {"ok": True}


def _key() -> tuple[ApiKey | None, dict[str, Any]]:
    from fttui.api.key import KeyFormatError
    from fttui.config import KEY_ENV_VAR, resolve_api_key

    try:
        found = resolve_api_key()
    except KeyFormatError as exc:
        return None, {"present": True, "ok": False, "error": f"{exc} (check ${KEY_ENV_VAR})"}
    if found is None:
        return None, {"present": False, "ok": False, "error": "no API key"}
    return found.key, {"present": True, "from": found.origin, "masked": found.key.masked}


async def _online(base_url: str, key: ApiKey | None, report: dict[str, Any]) -> None:
    """Health, account and rate headroom; each filled in, or its error."""
    from fttui.api import errors
    from fttui.api.client import FinetuningClient

    async with FinetuningClient(key, base_url) as client:
        try:
            health = await client.health()
            report["health"] = {"ok": health.ok, "status": health.status, "version": health.version}
        except errors.FttuiError as exc:
            report["health"] = {"ok": False, "error": exc.message}
        if key is not None:
            try:
                account = await client.me()
                limits = account.limits
                report["key"]["ok"] = True
                report["plan"] = {
                    "ok": True,
                    "tier": account.tier,
                    "remaining": limits.total_remaining,
                    "monthlyRemaining": limits.monthly_remaining,
                    "packCredits": limits.pack_credits,
                }
            except errors.AuthError as exc:
                report["key"].update(ok=False, error=f"{exc.error_code}: {exc.message}")
            except errors.FttuiError as exc:
                report["plan"] = {"ok": False, "error": exc.message}
        rate = client.rate
        report["rate"] = {
            "limit": rate.limit,
            "remaining": rate.remaining,
            "usedLastMinute": rate.used_last_minute,
            "heldForSeconds": round(rate.seconds_until_unblocked(), 1),
            "postLimit": rate.post_limit,
            "postRemaining": rate.post_remaining,
        }


def cmd_doctor(args: argparse.Namespace) -> int:
    from fttui.cli import output
    from fttui.cli.exit_codes import ExitCode
    from fttui.cli.session import SetupError, _base_url, open_target

    report: dict[str, Any] = {"versions": _versions(), "paths": _paths()}
    settings, report["config"] = _settings(args)
    report["journal"] = _journal()
    if getattr(args, "demo", False):
        key: ApiKey | None = None
        with open_target(args) as target:
            key = target.key
            report["key"] = {"present": True, "from": "demo", "masked": key.masked if key else None}
            report["server"] = target.base_url
            asyncio.run(_online(target.base_url, key, report))
    else:
        key, report["key"] = _key()
        try:
            from fttui.config import Settings

            report["server"] = _base_url(args, settings or Settings())
        except SetupError as exc:
            report["server"] = None
            report["health"] = {"ok": False, "error": str(exc)}
        if report["server"] is not None:
            asyncio.run(_online(report["server"], key, report))
    report["audio"] = _audio(settings)
    if args.json:
        output.emit_json(report)
    else:
        print(_text(report))
    if not report.get("health", {}).get("ok"):
        return ExitCode.TRANSPORT
    if not report["key"].get("ok"):
        return ExitCode.AUTH
    return ExitCode.OK


def _mark(check: dict[str, Any]) -> str:
    return "ok  " if check.get("ok") else "FAIL"


def _text(report: dict[str, Any]) -> str:
    from fttui.cli import output

    v = report["versions"]
    key = report["key"]
    health = report.get("health", {})
    lines = [
        f"fttui {v['fttui']}, Python {v['python']}, Textual {v['textual'] or '-'}, "
        f"{v['platform']}",
        f"server:  {report.get('server') or '-'}",
        f"{_mark(health)} health: "
        + (f"{health.get('status')} (API {health.get('version') or '-'})" if health.get("ok")
           else str(health.get("error") or health.get("status") or "not checked")),
        f"{_mark(key)} key: "
        + (f"{key['masked']} from {key['from']}" if key.get("masked") else "-")
        + (f" ({key['error']})" if key.get("error") else ""),
    ]  # fmt: skip
    plan = report.get("plan")
    if plan is not None:
        lines.append(
            f"{_mark(plan)} plan: "
            + (f"{plan['tier']}, {plan['remaining']} credits left" if plan.get("ok")
               else str(plan.get("error")))
        )  # fmt: skip
    rate = report.get("rate")
    if rate is not None:
        lines.append(
            f"     rate: reads {rate['remaining'] if rate['remaining'] is not None else '?'}"
            f" of {rate['limit']} a minute left, creating POSTs {rate['postRemaining']}"
            f" of {rate['postLimit']}"
        )
    config = report["config"]
    lines.append(f"{_mark(config)} config: {report['paths']['config']}"
                 + (f" ({config['error']})" if config.get("error") else ""))  # fmt: skip
    journal = report["journal"]
    lines.append(
        f"{_mark(journal)} journal: {journal.get('openEntries', '-')} open entries"
        + (f" ({journal['error']})" if journal.get("error") else "")
    )
    audio = report["audio"]
    lines.append(
        f"{_mark(audio)} audio: {audio['backend']} backend, "
        + (f"device {audio.get('device')}" if audio.get("ok") else str(audio.get("error")))
        + (", over SSH" if audio["ssh"] else "")
    )
    lines.append("paths:")
    lines.extend(f"  {name}: {path}" for name, path in report["paths"].items())
    return output.printable("\n".join(lines)).replace("\\x0a", "\n")


STANDALONE: dict[str, Callable[[argparse.Namespace], int]] = {"doctor": cmd_doctor}
