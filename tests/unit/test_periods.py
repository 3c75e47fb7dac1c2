"""Assessment periods: calendar blocks of months, starting in January."""

from datetime import date

import pytest

from analytics.periods import DEFAULT_PERIOD_MONTHS, last_periods, next_period, period_label, period_start, periods_between


def test_quarters_are_the_default():
    assert DEFAULT_PERIOD_MONTHS == 3
    assert period_start(date(2026, 11, 26)) == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("rule", "day", "months", "expected"),
    [
        (period_start, date(2026, 1, 1), 3, date(2026, 1, 1)),
        (period_start, date(2026, 3, 31), 3, date(2026, 1, 1)),
        (period_start, date(2026, 4, 1), 3, date(2026, 4, 1)),
        (period_start, date(2026, 6, 30), 3, date(2026, 4, 1)),
        (period_start, date(2026, 12, 31), 3, date(2026, 10, 1)),
        (period_start, date(2026, 6, 30), 6, date(2026, 1, 1)),
        (period_start, date(2026, 7, 1), 6, date(2026, 7, 1)),
        (period_start, date(2026, 12, 31), 6, date(2026, 7, 1)),
        (period_start, date(2026, 11, 26), 1, date(2026, 11, 1)),
        (period_start, date(2024, 2, 29), 1, date(2024, 2, 1)),
        (period_start, date(2026, 11, 26), 2, date(2026, 11, 1)),
        (period_start, date(2026, 10, 31), 2, date(2026, 9, 1)),
        (period_start, date(2026, 8, 31), 4, date(2026, 5, 1)),
        (period_start, date(2026, 9, 1), 4, date(2026, 9, 1)),
        (period_start, date(2026, 12, 31), 12, date(2026, 1, 1)),
        (next_period, date(2026, 1, 1), 3, date(2026, 4, 1)),
        (next_period, date(2026, 10, 1), 3, date(2027, 1, 1)),
        (next_period, date(2026, 7, 1), 6, date(2027, 1, 1)),
        (next_period, date(2026, 1, 1), 6, date(2026, 7, 1)),
        (next_period, date(2026, 11, 1), 1, date(2026, 12, 1)),
        (next_period, date(2026, 12, 1), 1, date(2027, 1, 1)),
        (next_period, date(2026, 9, 1), 4, date(2027, 1, 1)),
        (next_period, date(2026, 1, 1), 12, date(2027, 1, 1)),
        (next_period, date(1999, 12, 1), 1, date(2000, 1, 1)),
    ],
)
def test_period_start_and_next_period(rule, day, months, expected):
    assert rule(day, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "label"),
    [
        (date(2026, 1, 1), 3, "2026 Q1"),
        (date(2026, 4, 1), 3, "2026 Q2"),
        (date(2026, 7, 1), 3, "2026 Q3"),
        (date(2026, 10, 1), 3, "2026 Q4"),
        (date(2026, 1, 1), 6, "2026 H1"),
        (date(2026, 7, 1), 6, "2026 H2"),
        (date(2026, 1, 1), 12, "2026"),
        (date(2026, 5, 1), 1, "2026-05"),
        (date(2026, 12, 1), 1, "2026-12"),
        (date(2026, 9, 1), 4, "2026-09"),
    ],
)
def test_period_label(start, months, label):
    assert period_label(start, months) == label


def test_periods_between_crosses_the_year():
    assert periods_between(date(2025, 11, 15), date(2026, 2, 1)) == [date(2025, 10, 1), date(2026, 1, 1)]
    assert periods_between(date(2025, 11, 15), date(2026, 2, 1), 1) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert periods_between(date(2024, 8, 1), date(2026, 1, 1), 6) == [
        date(2024, 7, 1),
        date(2025, 1, 1),
        date(2025, 7, 1),
        date(2026, 1, 1),
    ]


def test_periods_between_within_one_period_is_that_period():
    assert periods_between(date(2026, 10, 2), date(2026, 12, 31)) == [date(2026, 10, 1)]


def test_periods_between_backwards_is_empty():
    assert periods_between(date(2026, 11, 26), date(2026, 1, 1)) == []


def test_two_years_of_quarters_are_nine_periods():
    quarters = periods_between(date(2024, 11, 26), date(2026, 11, 26))
    assert len(quarters) == 9
    assert quarters[0] == date(2024, 10, 1)
    assert quarters[-1] == date(2026, 10, 1)
    # consecutive and each a period start
    for earlier, later in zip(quarters, quarters[1:], strict=False):
        assert next_period(earlier) == later
        assert period_start(later) == later


@pytest.mark.parametrize("months", [1, 2, 3, 4, 6, 12])
def test_every_day_of_a_year_falls_in_its_period(months):
    day = date(2026, 1, 1)
    while day.year == 2026:
        start = period_start(day, months)
        assert start <= day < next_period(start, months)
        day = date.fromordinal(day.toordinal() + 1)


def test_last_periods_end_with_todays_and_go_back_across_years():
    assert last_periods(date(2026, 2, 14), 3) == [date(2025, 7, 1), date(2025, 10, 1), date(2026, 1, 1)]
    assert last_periods(date(2026, 11, 26), 1, months=6) == [date(2026, 7, 1)]
    assert last_periods(date(2026, 11, 26), 0) == [date(2026, 10, 1)]  # at least today's period
