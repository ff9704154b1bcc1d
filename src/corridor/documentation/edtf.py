"""Dates as testimonies give them, in EDTF (ISO 8601-2, levels 0 and 1), with earliest and latest bounds.

Accepted: a year, month or day (`2017`, `2017-03`, `2017-04-12`), a season (`2017-21`
spring … `2017-24` winter), unspecified digits (`201X`, `2017-XX`, `2017-03-XX`), a
qualifier at the end (`?` uncertain, `~` approximate, `%` both), and intervals of any of
these (`2017-03/2017-04`) whose ends may be open (`..`) or unknown (empty). A time of day
is accepted and dropped: documentation is dated by the day.

The bounds are the first and last day the text allows, inclusive; an open or unknown end
has no bound (None), stored as the first or last day there is (`lower`, `upper`). A
qualifier is kept in the text and does not move the bounds.
Seasons are the northern meteorological ones (spring March–May, summer June–August,
autumn September–November, winter December to the end of February of the next year).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MAX_LENGTH = 64
# What an open or unknown end is stored as, so that a period filter is two plain comparisons.
FIRST_DAY = date(1, 1, 1)
LAST_DAY = date(9999, 12, 31)
_SINGLE = re.compile(
    r"^(?P<year>[0-9X]{4})"
    r"(?:-(?P<month>[0-9X]{2})(?:-(?P<day>[0-9X]{2}))?)?"
    r"(?:T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}(?::\d{2})?)?)?"
    r"(?P<qualifier>[?~%])?$"
)
# Season code → (first month, last month, the last month falls in the next year).
SEASONS = {21: (3, 5, False), 22: (6, 8, False), 23: (9, 11, False), 24: (12, 2, True)}
OPEN = ".."


class EdtfError(ValueError):
    """The text is not a date this parser accepts; the message says why (in English, for logs and tests)."""


@dataclass(frozen=True)
class Edtf:
    text: str
    earliest: date | None
    latest: date | None
    uncertain: bool = False
    approximate: bool = False

    @property
    def lower(self) -> date:
        """The earliest bound, an open start being the first day there is."""
        return self.earliest or FIRST_DAY

    @property
    def upper(self) -> date:
        """The latest bound, an open end being the last day there is."""
        return self.latest or LAST_DAY


def _digits(value: str, low: int, high: int) -> tuple[int, int]:
    """The range of numbers `value` can stand for, its X digits being any digit."""
    first, last = int(value.replace("X", "0")), int(value.replace("X", "9"))
    return max(first, low), min(last, high)


def _single(text: str) -> Edtf:
    match = _SINGLE.match(text)
    if match is None:
        raise EdtfError(f"not an EDTF date: {text!r}")
    year_text, month_text, day_text = match["year"], match["month"], match["day"]
    qualifier = match["qualifier"] or ""
    if "X" in year_text and ((month_text and "X" not in month_text) or (day_text and "X" not in day_text)):
        raise EdtfError("a month or day under an unspecified year")
    if re.search(r"X[0-9]", year_text):
        raise EdtfError("unspecified digits come last in the year")
    first_year, last_year = _digits(year_text, 1, 9999)
    if year_text == "0000" or first_year > last_year:
        raise EdtfError("year out of range")
    uncertain, approximate = qualifier in "?%" and bool(qualifier), qualifier in "~%" and bool(qualifier)
    if month_text is None:
        return Edtf(text, date(first_year, 1, 1), date(last_year, 12, 31), uncertain, approximate)
    if month_text.isdigit() and int(month_text) in SEASONS:
        if day_text is not None:
            raise EdtfError("a season has no day")
        if "X" in year_text:
            raise EdtfError("a season needs its year")
        start_month, end_month, next_year = SEASONS[int(month_text)]
        end_year = first_year + 1 if next_year else first_year
        if end_year > 9999:
            raise EdtfError("year out of range")
        end = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
        return Edtf(text, date(first_year, start_month, 1), end, uncertain, approximate)
    if "X" in month_text and month_text not in {"XX", "0X", "1X"}:
        raise EdtfError("month out of range")
    first_month, last_month = _digits(month_text, 1, 12)
    if first_month > last_month or (month_text.isdigit() and not 1 <= int(month_text) <= 12):
        raise EdtfError("month out of range")
    if day_text is None:
        last_day = calendar.monthrange(last_year, last_month)[1]
        return Edtf(
            text,
            date(first_year, first_month, 1),
            date(last_year, last_month, last_day),
            uncertain,
            approximate,
        )
    if "X" in month_text and "X" not in day_text:
        raise EdtfError("a day under an unspecified month")
    if day_text.isdigit():
        day = int(day_text)
        if not 1 <= day <= 31 or "X" in month_text:
            raise EdtfError("day out of range")
        if day > calendar.monthrange(first_year, first_month)[1]:
            raise EdtfError("no such day in that month")
        return Edtf(
            text,
            date(first_year, first_month, day),
            date(first_year, first_month, day),
            uncertain,
            approximate,
        )
    first_day, _ = _digits(day_text, 1, 31)
    last_possible = calendar.monthrange(last_year, last_month)[1]
    last_day = min(int(day_text.replace("X", "9")), last_possible)
    if first_day > last_day or int(day_text.replace("X", "0")) > 31:
        raise EdtfError("day out of range")
    return Edtf(
        text,
        date(first_year, first_month, first_day),
        date(last_year, last_month, last_day),
        uncertain,
        approximate,
    )


def parse(text: str) -> Edtf:
    """Parse one EDTF date or interval; raises EdtfError."""
    text = (text or "").strip()
    if not text:
        raise EdtfError("empty")
    if len(text) > MAX_LENGTH:
        raise EdtfError("too long")
    if "/" not in text:
        if text == OPEN:
            raise EdtfError("an open end stands only in an interval")
        return _single(text)
    if text.count("/") != 1:
        raise EdtfError("an interval has two ends")
    start_text, end_text = text.split("/")
    if not start_text and not end_text:
        raise EdtfError("an interval needs at least one known end")
    if start_text in {"", OPEN} and end_text in {"", OPEN}:
        raise EdtfError("an interval needs at least one known end")
    start = None if start_text in {"", OPEN} else _single(start_text)
    end = None if end_text in {"", OPEN} else _single(end_text)
    if start and end and start.earliest and end.latest and start.earliest > end.latest:
        raise EdtfError("the interval ends before it starts")
    return Edtf(
        text,
        start.earliest if start else None,
        end.latest if end else None,
        any(part.uncertain for part in (start, end) if part),
        any(part.approximate for part in (start, end) if part),
    )
