"""The emulator's notion of now, and the one timestamp format of the wire.

Tests can pin or advance the clock (admin API ``/clock``); every timestamp and every time-based
transition reads it. Timestamps are ISO 8601 UTC with milliseconds and ``Z`` (decisions 5).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def wire_time(moment: datetime) -> str:
    """Format as ``2019-01-08T17:59:18.006Z``."""
    # isoformat is several times faster than strftime, and this runs on every request
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_wire_time(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` or an offset); naive values are taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Clock:
    """Wall-clock time, optionally frozen at a set instant or shifted by an offset."""

    def __init__(self) -> None:
        self._fixed: datetime | None = None
        self._offset = timedelta()

    def now(self) -> datetime:
        if self._fixed is not None:
            return self._fixed
        if self._offset:
            return datetime.now(UTC) + self._offset
        return datetime.now(UTC)

    def wire_now(self) -> str:
        return wire_time(self.now())

    def set(self, moment: datetime) -> None:
        """Freeze the clock at ``moment`` (it stays there until advanced or reset)."""
        self._fixed = moment.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        if self._fixed is not None:
            self._fixed += timedelta(seconds=seconds)
        else:
            self._offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self._fixed = None
        self._offset = timedelta()

    @property
    def is_wall_clock(self) -> bool:
        return self._fixed is None and not self._offset
