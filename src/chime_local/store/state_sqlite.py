"""The SQLite engine's :class:`~chime_local.store.state.ServerState`, on the records' connection.

It shares the store's one connection and lock, so a state change is a transaction like any
other and every process opening the same file (``--workers N``) sees it. The tables (migration
``0003_server_state``) are named ``state_*``: :meth:`Store.clear` leaves them alone, since
replacing the records with a seed is not a reset of the server. Races between processes are
settled by single statements (``UPDATE ... RETURNING``, an upsert for a token bucket) or by a
write transaction, which SQLite runs one at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

from chime_local.jsonio import dumps_text, loads
from chime_local.store.state import CallEntry, ClockSetting, FaultRule, LoggedCall, StoredFault

Transaction = Callable[[bool], AbstractContextManager[None]]  # the store's ``transaction``

_FAULT_COLUMNS = "rule_id, operation, error, count, probability, access_key, seed, fired"

# One token bucket per access key; the refill is computed from the stored row in the statement
# itself, so two processes taking a token at once cannot both spend the last one.
_TAKE_TOKEN = """
    INSERT INTO state_rate_buckets (access_key, tokens, updated, granted)
    VALUES (:key, :burst - 1, :now, 1)
    ON CONFLICT (access_key) DO UPDATE SET
        tokens = min(:burst, tokens + max(0, :now - updated) * :rate)
            - (min(:burst, tokens + max(0, :now - updated) * :rate) >= 1),
        granted = min(:burst, tokens + max(0, :now - updated) * :rate) >= 1,
        updated = :now
    RETURNING granted
"""


# Keeps the newest batches that hold the newest ``keep`` calls: a batch goes once the calls of
# the batches after it reach ``keep`` (``sum() OVER``: SQLite 3.25, PostgreSQL). The statement
# reads the whole log, so it runs on every ``TRIM_EVERY``-th batch only (by the batch's ``seq``,
# whichever process wrote it): the log holds at most ``TRIM_EVERY`` batches beyond ``keep``.
TRIM_EVERY = 16
_TRIM_LOG = """
    DELETE FROM state_request_log WHERE seq < (
        SELECT coalesce(min(seq), 0) FROM (
            SELECT seq, calls, sum(calls) OVER (ORDER BY seq DESC) AS newer_and_own
            FROM state_request_log
        ) AS newest WHERE newer_and_own - calls < ?
    )
"""


class SqliteServerState:
    """Server state in the tables ``state_server``, ``state_faults``, ``state_rate_buckets``
    and ``state_request_log`` of the store's database."""

    take_token_sql = _TAKE_TOKEN  # the one statement whose dialect differs per engine

    def __init__(
        self, db: sqlite3.Connection, transaction: Transaction, *, private: bool = False
    ) -> None:
        self._db = db
        self._transaction = transaction
        # An in-memory database has no other connection: every change passes through here, so
        # a counter in this object is the version, and reading it costs no query.
        self._private_version = 0 if private else None

    # -- change detection ---------------------------------------------------------------------

    def version(self) -> int:
        if self._private_version is not None:
            return self._private_version
        with self._transaction(False):
            return int(self._db.execute("SELECT version FROM state_server").fetchone()[0])

    def _bump(self) -> None:
        self._db.execute("UPDATE state_server SET version = version + 1")
        if self._private_version is not None:
            self._private_version += 1

    # -- clock --------------------------------------------------------------------------------

    def clock(self) -> ClockSetting:
        with self._transaction(False):
            fixed, offset = self._db.execute(
                "SELECT clock_fixed, clock_offset FROM state_server"
            ).fetchone()
        return ClockSetting(datetime.fromisoformat(fixed) if fixed else None, float(offset))

    def _set_clock(self, setting: ClockSetting) -> ClockSetting:
        fixed = setting.fixed.isoformat() if setting.fixed else None
        self._db.execute(
            "UPDATE state_server SET clock_fixed = ?, clock_offset = ?",
            (fixed, setting.offset_seconds),
        )
        self._bump()
        return setting

    def freeze_clock(self, moment: datetime) -> ClockSetting:
        with self._transaction(True):
            return self._set_clock(ClockSetting(moment.astimezone(UTC)))

    def advance_clock(self, seconds: float) -> ClockSetting:
        with self._transaction(True):
            current = self.clock()
            if current.fixed is not None:
                moved = ClockSetting(current.fixed + timedelta(seconds=seconds))
            else:
                moved = ClockSetting(None, current.offset_seconds + seconds)
                datetime.now(UTC) + timedelta(seconds=moved.offset_seconds)  # OverflowError
            return self._set_clock(moved)

    def reset_clock(self) -> None:
        with self._transaction(True):
            self._set_clock(ClockSetting())

    # -- fault rules --------------------------------------------------------------------------

    def add_fault(self, rule: FaultRule) -> StoredFault:
        with self._transaction(True):
            row = self._db.execute(
                "INSERT INTO state_faults "
                "(operation, error, count, probability, access_key, seed) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING rule_id",
                (
                    rule.operation,
                    rule.error,
                    rule.count,
                    rule.probability,
                    rule.access_key,
                    rule.seed,
                ),
            ).fetchone()
            self._bump()
        return StoredFault(int(row[0]), rule)

    def ensure_fault(self, rule: FaultRule) -> StoredFault:
        with self._transaction(True):
            self._lock_state()
            same = [stored for stored in self.faults() if stored.rule == rule]
            return same[0] if same else self.add_fault(rule)

    def _lock_state(self) -> None:
        """Hold the state row until the transaction ends (SQLite's write transaction holds
        the whole file already)."""

    def faults(self) -> list[StoredFault]:
        with self._transaction(False):
            rows = self._db.execute(
                f"SELECT {_FAULT_COLUMNS} FROM state_faults "
                "WHERE count IS NULL OR fired < count ORDER BY rule_id"
            ).fetchall()
        return [StoredFault(rule_id, FaultRule(*rule), fired) for rule_id, *rule, fired in rows]

    def clear_faults(self) -> None:
        with self._transaction(True):
            self._db.execute("DELETE FROM state_faults")
            self._bump()

    def remove_fault(self, rule_id: int) -> bool:
        with self._transaction(True):
            row = self._db.execute(
                "DELETE FROM state_faults WHERE rule_id = ? RETURNING rule_id", (rule_id,)
            ).fetchone()
            self._bump()
        return row is not None

    def consume_fault(self, rule_id: int) -> bool:
        with self._transaction(True):
            row = self._db.execute(
                "UPDATE state_faults SET fired = fired + 1 "
                "WHERE rule_id = ? AND fired < count RETURNING fired",
                (rule_id,),
            ).fetchone()
        return row is not None

    def next_fault_draw(self, rule_id: int) -> int | None:
        with self._transaction(True):
            row = self._db.execute(
                "UPDATE state_faults SET draws = draws + 1 WHERE rule_id = ? RETURNING draws",
                (rule_id,),
            ).fetchone()
        return int(row[0]) if row else None

    def note_fault_fired(self, rule_id: int) -> None:
        with self._transaction(True):
            self._db.execute(
                "UPDATE state_faults SET fired = fired + 1 WHERE rule_id = ?", (rule_id,)
            )

    # -- rate limiting ------------------------------------------------------------------------

    def take_rate_token(self, access_key: str, per_second: float, now: float) -> bool:
        burst = max(1.0, per_second)
        arguments = {"key": access_key, "burst": burst, "rate": per_second, "now": now}
        with self._transaction(True):
            granted = self._db.execute(self.take_token_sql, arguments).fetchone()[0]
        return bool(granted)

    def expire_rate_buckets(self, idle_since: float) -> int:
        with self._transaction(True):
            cursor = self._db.execute(
                "DELETE FROM state_rate_buckets WHERE updated < ?", (idle_since,)
            )
        return cursor.rowcount

    def rate_bucket_count(self) -> int:
        with self._transaction(False):
            return int(self._db.execute("SELECT count(*) FROM state_rate_buckets").fetchone()[0])

    # -- request log --------------------------------------------------------------------------

    def append_calls(self, calls: Sequence[LoggedCall], keep: int) -> None:
        # one row per batch: a row per call cost more to insert and to trim than the call did
        with self._transaction(True):
            cleared_at = self._db.execute("SELECT calls_cleared_at FROM state_server").fetchone()[0]
            kept = [[at, entry] for at, entry in calls if at >= cleared_at]
            if not kept:
                return
            (seq,) = self._db.execute(
                "INSERT INTO state_request_log (calls, entries) VALUES (?, ?) RETURNING seq",
                (len(kept), dumps_text(kept)),
            ).fetchone()
            if seq % TRIM_EVERY == 0:
                self._db.execute(_TRIM_LOG, (keep,))

    def recent_calls(self, limit: int) -> list[CallEntry]:
        with self._transaction(False):
            rows = self._db.execute(
                "SELECT entries FROM state_request_log ORDER BY seq DESC"
            ).fetchall()
        logged = [call for (entries,) in rows for call in reversed(loads(entries))]
        # newest first; the batches of several processes interleave in time
        logged.sort(key=lambda call: call[0], reverse=True)
        return [entry for _, entry in logged[:limit]]

    def clear_calls(self, now: float) -> None:
        with self._transaction(True):
            self._db.execute("DELETE FROM state_request_log")
            self._db.execute("UPDATE state_server SET calls_cleared_at = ?", (now,))

    # -- the rest -----------------------------------------------------------------------------

    def token_secret(self) -> bytes:
        with self._transaction(False):
            row = self._db.execute("SELECT value FROM meta WHERE key = 'token_secret'").fetchone()
        return bytes.fromhex(row[0])

    def reset(self, now: float) -> None:
        with self._transaction(True):
            self.reset_clock()
            self.clear_faults()
            self.clear_calls(now)
            self._db.execute("DELETE FROM state_rate_buckets")
