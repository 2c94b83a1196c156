"""What works for a user whose terminal is on another machine (SSH).

Sound from a local player would play on the remote host; instead the URL can be put on
the user's own clipboard with OSC 52, shown as a clickable OSC 8 link, or the file
saved. The helpers are pure: they return the escape sequences, and strip control
characters from server-supplied text so a hostile URL cannot smuggle its own sequence.
"""

from __future__ import annotations

import base64
import getpass
import os
import re
import shlex
import socket
from collections.abc import Mapping
from pathlib import Path

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
ESC = "\x1b"
BEL = "\x07"
ST = f"{ESC}\\"


def is_remote_session(environ: Mapping[str, str] | None = None) -> bool:
    """True when running under SSH."""
    env = os.environ if environ is None else environ
    return any(env.get(name) for name in ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT"))


def remote_host(environ: Mapping[str, str] | None = None) -> str:
    """This machine as the SSH user reached it: the server address of SSH_CONNECTION
    ("client port server port"), else its host name."""
    env = os.environ if environ is None else environ
    fields = env.get("SSH_CONNECTION", "").split()
    host = fields[2] if len(fields) == 4 else socket.gethostname()
    return f"[{host}]" if ":" in host else host  # an IPv6 address, as scp wants it


def scp_line(path: Path, environ: Mapping[str, str] | None = None) -> str:
    """The command that copies `path` from this machine to the user's own one, run there."""
    env = os.environ if environ is None else environ
    user = env.get("USER") or env.get("LOGNAME") or getpass.getuser()
    return f"scp {shlex.quote(f'{user}@{remote_host(env)}:{path}')} ."


def strip_controls(text: str) -> str:
    """`text` without C0/C1 control characters (no escape sequences can survive)."""
    return _CONTROLS.sub("", text)


def osc52_copy(text: str) -> str:
    """The OSC 52 sequence that puts `text` on the terminal's clipboard."""
    payload = base64.b64encode(strip_controls(text).encode("utf-8")).decode("ascii")
    return f"{ESC}]52;c;{payload}{BEL}"


def osc8_link(url: str, label: str | None = None) -> str:
    """`label` (the URL by default) as an OSC 8 hyperlink to `url`."""
    target = strip_controls(url)
    shown = strip_controls(label if label is not None else url)
    return f"{ESC}]8;;{target}{ST}{shown}{ESC}]8;;{ST}"
