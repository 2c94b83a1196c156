"""Writes numbered batches into a cache until killed (driven by test_store_crash.py).

Each transaction adds batch n (BATCH rows), retitles every row of batch n - 1, and records
n in the sync state; "n" is printed only after the commit returns.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fttui.api.models import Generation
from fttui.store import GenerationStore

BATCH = 100
START = datetime(2025, 1, 15, tzinfo=timezone.utc)


def row(batch: int, index: int) -> Generation:
    return Generation.model_validate(
        {
            "id": f"b{batch:05d}-{index:03d}",
            "title": f"written by {batch}",
            "prompt": "dreamy ambient pads, slow evolving textures, " * 4,
            "status": "completed",
            "createdAt": (START + timedelta(seconds=batch * BATCH + index)).isoformat(),
        }
    )


def main(path: Path) -> None:
    store = GenerationStore(path)
    # A tiny page cache makes SQLite spill dirty pages into the WAL before COMMIT, so a
    # kill lands in half-written transactions too, not only between them.
    store._db.execute("PRAGMA cache_size = 4")
    batch = int(store.state("batch") or -1) + 1
    while True:
        retitled = [
            previous.model_copy(update={"title": f"seen by {batch}"})
            for previous in store.page(limit=BATCH)
            if previous.id.startswith(f"b{batch - 1:05d}-")
        ]
        store.upsert([row(batch, i) for i in range(BATCH)] + retitled, state={"batch": str(batch)})
        print(batch, flush=True)
        batch += 1


if __name__ == "__main__":
    main(Path(sys.argv[1]))
