"""SQLite WAL checkpoints on a thread of their own, off the event loop's commits.

By default SQLite checkpoints inside a commit: every thousand pages or so, the commit that
crosses the line copies the log back into the database file and syncs it, on the event
loop, while every other request waits. Measured on opening requests, that was a third of
the commit's cost (docs/performance.md). The portal's processes instead turn automatic
checkpoints off on their connections and run a passive checkpoint every fraction of a
second on this thread. The stdlib's sqlite3 releases the GIL inside SQLite, so the copy runs
on the other core. A passive checkpoint never waits for readers or writers; what it cannot
copy yet, the next one does.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 0.2


class WalCheckpointer:
    def __init__(self, path: str, interval: float = INTERVAL_SECONDS) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            while not self._stop.wait(self.interval):
                self.checkpoint(connection)
            self.checkpoint(connection)  # what the last commits wrote, before the process ends
        finally:
            connection.close()

    def checkpoint(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:  # busy or locked now: the next pass copies it
            log.debug("WAL checkpoint skipped: %s", error)
