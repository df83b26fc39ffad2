"""Which content changes an index directory already holds, kept in a small JSON file inside it.

Change ids come from the kb_changes table. On PostgreSQL a transaction may commit after one
that took a higher id, so "everything after the last id" could skip it: ids missing below the
last one applied are remembered as gaps and asked for again, until they show up or are old
enough to be ids of rolled-back transactions (sequences never reuse them).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

STATE_FILE = "kb-state.json"
LOCK_FILE = "kb-sync.lock"
GAP_PATIENCE_SECONDS = 60.0
MAX_GAPS = 1000


@dataclass(frozen=True)
class SyncState:
    last_change_id: int = 0
    gaps: dict[int, float] = field(default_factory=dict)  # change id → when first missed
    schema_version: int = 0  # of the index in this directory (see schema.SCHEMA_VERSION)

    def open_gaps(self, now: float) -> list[int]:
        return sorted(g for g, seen in self.gaps.items() if now - seen < GAP_PATIENCE_SECONDS)

    def pending(self, change_ids: Iterable[int], now: float) -> list[int]:
        gaps = set(self.open_gaps(now))
        return [c for c in change_ids if c > self.last_change_id or c in gaps]

    def advance(self, applied: Iterable[int], now: float) -> SyncState:
        done = set(applied)
        if not done:
            return self
        last = max(self.last_change_id, *done)
        gaps = {
            g: seen
            for g, seen in self.gaps.items()
            if g not in done and now - seen < GAP_PATIENCE_SECONDS
        }
        for missing in range(self.last_change_id + 1, last):
            if missing not in done:
                gaps.setdefault(missing, now)
        if len(gaps) > MAX_GAPS:
            gaps = dict(sorted(gaps.items())[-MAX_GAPS:])
        return SyncState(last, gaps, self.schema_version)


def read_state(directory: str | Path) -> SyncState:
    try:
        raw = json.loads((Path(directory) / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SyncState()
    gaps = {int(k): float(v) for k, v in raw.get("gaps", {}).items()}
    return SyncState(int(raw.get("last_change_id", 0)), gaps, int(raw.get("schema_version", 0)))


def write_state(directory: str | Path, state: SyncState) -> None:
    """Written to a temporary file and renamed over the old one: readers see one or the other."""
    directory = Path(directory)
    data = json.dumps(
        {
            "last_change_id": state.last_change_id,
            "gaps": {str(k): v for k, v in state.gaps.items()},
            "schema_version": state.schema_version,
        }
    )
    fd, tmp = tempfile.mkstemp(prefix=".kb-state-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, directory / STATE_FILE)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class LockTimeout(TimeoutError):
    pass


@contextlib.contextmanager
def file_lock(path: str | Path, timeout: float, delay: float = 0.05) -> Iterator[None]:
    """An exclusive lock between processes (flock), waited for up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    with open(path, "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"{path} is locked by another process") from None
                time.sleep(delay)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
