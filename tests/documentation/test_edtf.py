"""EDTF parsing and bounds: the specification's level 0 and level 1 examples, refusals, and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.documentation.edtf import Edtf, EdtfError, parse

D = date


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        # Level 0: dates, reduced precision, date and time, intervals.
        ("1985-04-12", D(1985, 4, 12), D(1985, 4, 12)),
        ("1985-04", D(1985, 4, 1), D(1985, 4, 30)),
        ("1985", D(1985, 1, 1), D(1985, 12, 31)),
        ("1985-04-12T23:20:30", D(1985, 4, 12), D(1985, 4, 12)),
        ("1985-04-12T23:20:30Z", D(1985, 4, 12), D(1985, 4, 12)),
        ("1985-04-12T23:20:30+04:30", D(1985, 4, 12), D(1985, 4, 12)),
        ("1964/2008", D(1964, 1, 1), D(2008, 12, 31)),
        ("2004-06/2006-08", D(2004, 6, 1), D(2006, 8, 31)),
        ("2004-02-01/2005-02-08", D(2004, 2, 1), D(2005, 2, 8)),
        ("2004-02-01/2005-02", D(2004, 2, 1), D(2005, 2, 28)),
        ("2004-02-01/2005", D(2004, 2, 1), D(2005, 12, 31)),
        ("2005/2006-02", D(2005, 1, 1), D(2006, 2, 28)),
        # Level 1: qualifiers, unspecified digits, open and unknown ends, seasons.
        ("1984?", D(1984, 1, 1), D(1984, 12, 31)),
        ("2004-06~", D(2004, 6, 1), D(2004, 6, 30)),
        ("2004-06-11%", D(2004, 6, 11), D(2004, 6, 11)),
        ("201X", D(2010, 1, 1), D(2019, 12, 31)),
        ("20XX", D(2000, 1, 1), D(2099, 12, 31)),
        ("2004-XX", D(2004, 1, 1), D(2004, 12, 31)),
        ("1985-04-XX", D(1985, 4, 1), D(1985, 4, 30)),
        ("1985-XX-XX", D(1985, 1, 1), D(1985, 12, 31)),
        ("1985-04-12/..", D(1985, 4, 12), None),
        ("../1985-04-12", None, D(1985, 4, 12)),
        ("1985-04-12/", D(1985, 4, 12), None),
        ("/1985-04-12", None, D(1985, 4, 12)),
        ("1984~/2004-06", D(1984, 1, 1), D(2004, 6, 30)),
        ("1984/2004-06~", D(1984, 1, 1), D(2004, 6, 30)),
        ("2004-06-01/2004-06-20", D(2004, 6, 1), D(2004, 6, 20)),
        ("2001-21", D(2001, 3, 1), D(2001, 5, 31)),
        ("2001-22", D(2001, 6, 1), D(2001, 8, 31)),
        ("2001-23", D(2001, 9, 1), D(2001, 11, 30)),
        ("2003-24", D(2003, 12, 1), D(2004, 2, 29)),
        # The testimonies' own forms.
        ("2017-03~", D(2017, 3, 1), D(2017, 3, 31)),
        ("2017-03/2017-04", D(2017, 3, 1), D(2017, 4, 30)),
        ("2017-21", D(2017, 3, 1), D(2017, 5, 31)),
        ("2017-04-12?", D(2017, 4, 12), D(2017, 4, 12)),
        ("2016-02-29", D(2016, 2, 29), D(2016, 2, 29)),
    ],
)
def test_specification_examples(text: str, earliest: date | None, latest: date | None) -> None:
    parsed = parse(text)
    assert (parsed.earliest, parsed.latest) == (earliest, latest)
    assert parsed.text == text


def test_qualifiers_are_kept_apart() -> None:
    assert (parse("1984?").uncertain, parse("1984?").approximate) == (True, False)
    assert (parse("1984~").uncertain, parse("1984~").approximate) == (False, True)
    assert (parse("1984%").uncertain, parse("1984%").approximate) == (True, True)
    assert parse("1984/2004-06~").approximate


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "..",
        "/",
        "../..",
        "2017-13",
        "2017-00",
        "2017-02-30",
        "2017-02-29",
        "2017-04-31",
        "2017-25",  # level 2 seasons are not accepted
        "2017-21-01",
        "2017-3",
        "17",
        "0000",
        "X017",
        "1X17",
        "201X-04",
        "2017-XX-12",
        "2017-2X",
        "2017-04-4X",
        "Y170000002",  # level 2 exponential years
        "-1985",
        "[1667,1668]",
        "{1667,1668}",
        "2004-06~-11",
        "?2004",
        "2017-04/2017-03",
        "2017/2016",
        "2017/2018/2019",
        "spring 2017",
        "2017-04-12 ",
        "2017\x00",
        "1" * 65,
    ],
)
def test_what_is_refused(text: str) -> None:
    if text == "2017-04-12 ":
        assert parse(text).earliest == D(2017, 4, 12)  # surrounding space is trimmed, not refused
        return
    with pytest.raises(EdtfError):
        parse(text)


days = st.dates(min_value=D(1, 1, 1), max_value=D(9998, 12, 31))


def _day(value: date) -> str:
    return value.isoformat()


@given(days)
def test_a_day_is_its_own_bounds(day: date) -> None:
    assert parse(_day(day)) == Edtf(_day(day), day, day)


@given(days)
def test_a_month_holds_each_of_its_days(day: date) -> None:
    month = parse(day.strftime("%Y-%m").zfill(7))
    assert month.earliest is not None
    assert month.latest is not None
    assert month.earliest <= day <= month.latest
    assert month.earliest.day == 1
    assert (month.latest + timedelta(days=1)).day == 1


@given(days, st.sampled_from(["", "?", "~", "%"]))
def test_a_year_holds_its_months_and_days_and_qualifiers_do_not_move_bounds(
    day: date, qualifier: str
) -> None:
    year = f"{day.year:04d}"
    plain, qualified = parse(year), parse(year + qualifier)
    assert (plain.earliest, plain.latest) == (qualified.earliest, qualified.latest)
    assert plain.earliest is not None
    assert plain.latest is not None
    assert plain.earliest <= day <= plain.latest


@given(days, days)
def test_an_interval_spans_from_its_first_start_to_its_last_end(a: date, b: date) -> None:
    start, end = min(a, b), max(a, b)
    interval = parse(f"{_day(start)}/{_day(end)}")
    assert (interval.earliest, interval.latest) == (start, end)
    if start != end:
        with pytest.raises(EdtfError):
            parse(f"{_day(end)}/{_day(start)}")


@given(st.text(max_size=20))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        parsed = parse(text)
    except EdtfError:
        return
    if parsed.earliest is not None and parsed.latest is not None:
        assert parsed.earliest <= parsed.latest


@given(st.integers(min_value=1, max_value=9998), st.sampled_from([21, 22, 23, 24]))
def test_a_season_lasts_three_months(year: int, season: int) -> None:
    parsed = parse(f"{year:04d}-{season}")
    assert parsed.earliest is not None
    assert parsed.latest is not None
    assert 89 <= (parsed.latest - parsed.earliest).days + 1 <= 92
