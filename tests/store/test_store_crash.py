"""A kill at any moment leaves a consistent database.

A writer process (crash_writer.py) commits batches in a loop; it is killed with SIGKILL
after a random number of commits, several times over the same file, including before
its first commit (while it opens and migrates). After each kill the file must pass
`PRAGMA integrity_check` (and FTS5's own check), and every batch must be all there,
with its retitling, or not there at all.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fttui.store import GenerationStore, schema

WRITER = Path(__file__).with_name("crash_writer.py")
ROOT = Path(__file__).resolve().parents[2]
BATCH = 100


def _run_and_kill(db_path: Path, commits: int) -> int:
    """Start the writer, let it report `commits` commits, SIGKILL it; the last one seen."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    last = -1
    try:
        assert writer.stdout is not None
        for _ in range(commits):
            line = writer.stdout.readline()
            if not line:
                break
            last = int(line)
    finally:
        writer.send_signal(signal.SIGKILL)
        _, errors = writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL, errors
    return last


def _check(db_path: Path, confirmed: int) -> int:
    """Assert the file is consistent; return the newest batch in it."""
    if not db_path.exists():
        assert confirmed == -1
        return -1  # killed before the writer created the file
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if raw.execute("PRAGMA user_version").fetchone()[0] < schema.SCHEMA_VERSION:
            assert confirmed == -1
            return -1  # killed before the first migration committed: still version 0
        if schema.has_fts_table(raw):
            raw.execute("INSERT INTO generations_fts(generations_fts) VALUES ('integrity-check')")
        rows = raw.execute("SELECT id, title FROM generations").fetchall()
        state = raw.execute("SELECT value FROM sync_state WHERE key = 'batch'").fetchone()
    finally:
        raw.close()
    sizes = Counter(gen_id.split("-")[0] for gen_id, _ in rows)
    batches = sorted(int(name[1:]) for name in sizes)
    assert all(size == BATCH for size in sizes.values()), sizes
    assert batches == list(range(len(batches))), "a batch is missing in the middle"
    newest = batches[-1] if batches else -1
    assert newest >= confirmed, "a commit the writer reported is lost"
    assert (int(state[0]) if state else -1) == newest
    titles = {gen_id.split("-")[0]: set() for gen_id, _ in rows}
    for gen_id, title in rows:
        titles[gen_id.split("-")[0]].add(title)
    for number in batches:
        expected = f"seen by {number + 1}" if number < newest else f"written by {number}"
        assert titles[f"b{number:05d}"] == {expected}
    return newest


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_kill_at_any_moment_leaves_a_consistent_database(db_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    plan = [0] + [rng.randint(1, 12) for _ in range(5)]  # 0: killed while starting
    newest = -1
    for commits in plan:
        confirmed = _run_and_kill(db_path, commits)
        assert confirmed == -1 or confirmed > newest, f"seed {seed}"
        newest = _check(db_path, confirmed)
    assert newest >= 5, f"seed {seed}: the writer should have made progress"
    with GenerationStore(db_path) as store:  # and the app opens it without recovery
        assert store.recovered_from is None
        assert store.count() == (newest + 1) * BATCH
