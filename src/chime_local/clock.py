"""The emulator's notion of now, and the one timestamp format of the wire.

Tests can pin or advance the clock (admin API ``/clock``); every timestamp and every time-based
transition reads it. The setting is server state, shared through the store. Timestamps are ISO
8601 UTC with milliseconds and ``Z`` (decisions 5).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chime_local.store.state import ClockSetting, ServerState


def wire_time(moment: datetime) -> str:
    """Format as ``2019-01-08T17:59:18.006Z``."""
    # isoformat is several times faster than strftime, and this runs on every request
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_wire_time(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` or an offset); naive values are taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Clock:
    """Wall-clock time, optionally frozen at a set instant or shifted by an offset.

    The setting lives in the store (:class:`ServerState`), so every worker and instance runs on
    the same clock; this process keeps a copy, re-read by :meth:`refresh` when the state's
    version moved.
    """

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._setting = state.clock()

    def refresh(self) -> None:
        self._setting = self._state.clock()

    def now(self) -> datetime:
        setting = self._setting
        if setting.fixed is not None:
            return setting.fixed
        if setting.offset_seconds:
            return datetime.now(UTC) + timedelta(seconds=setting.offset_seconds)
        return datetime.now(UTC)

    def wire_now(self) -> str:
        return wire_time(self.now())

    def set(self, moment: datetime) -> None:
        """Freeze the clock at ``moment`` (it stays there until advanced or reset)."""
        self._setting = self._state.freeze_clock(moment)

    def advance(self, seconds: float) -> None:
        self._setting = self._state.advance_clock(seconds)

    def reset(self) -> None:
        self._state.reset_clock()
        self._setting = ClockSetting()

    @property
    def is_wall_clock(self) -> bool:
        return self._setting.is_wall_clock
