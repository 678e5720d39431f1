"""Calendar days in the organisation's time zone (due dates, "this year", report periods)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Calendar:
    """Today and day boundaries in one time zone; timestamps in the database are UTC."""

    today: date
    zone: ZoneInfo

    @classmethod
    def now(cls, zone_name: str) -> Calendar:
        zone = ZoneInfo(zone_name)
        return cls(datetime.now(zone).date(), zone)

    def start_of(self, day: date) -> datetime:
        """The UTC instant at which `day` begins in this time zone. Raises nothing."""
        return datetime.combine(day, time(), self.zone).astimezone(UTC)

    def end_of(self, day: date) -> datetime:
        """The UTC instant at which the day after `day` begins (an exclusive bound).
        Raises nothing."""
        return self.start_of(day + timedelta(days=1))

    @property
    def year_start(self) -> datetime:
        return self.start_of(date(self.today.year, 1, 1))

    @property
    def year_end(self) -> datetime:
        return self.start_of(date(self.today.year + 1, 1, 1))
