"""Assessment periods: calendar-aligned blocks of months (quarters by default)."""

from datetime import date

DEFAULT_PERIOD_MONTHS = 3


def period_start(day: date, months: int = DEFAULT_PERIOD_MONTHS) -> date:
    """The first day of the period that holds `day`; periods start in January."""
    return date(day.year, ((day.month - 1) // months) * months + 1, 1)


def next_period(start: date, months: int = DEFAULT_PERIOD_MONTHS) -> date:
    month_index = start.year * 12 + start.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def period_label(start: date, months: int = DEFAULT_PERIOD_MONTHS) -> str:
    """'2026 Q3' for quarters, '2026 H2' for halves, '2026' for years, '2026-05' otherwise."""
    index = (start.month - 1) // months + 1
    if months == 3:
        return f"{start.year} Q{index}"
    if months == 6:
        return f"{start.year} H{index}"
    if months == 12:
        return str(start.year)
    return f"{start.year}-{start.month:02d}"


def periods_between(first: date, last: date, months: int = DEFAULT_PERIOD_MONTHS) -> list[date]:
    """Every period start from the period of `first` to the period of `last`, inclusive."""
    starts, current, end = [], period_start(first, months), period_start(last, months)
    while current <= end:
        starts.append(current)
        current = next_period(current, months)
    return starts


def last_periods(today: date, count: int, months: int = DEFAULT_PERIOD_MONTHS) -> list[date]:
    """The starts of the `count` periods up to and including today's, oldest first."""
    month_index = (today.year * 12 + today.month - 1) // months * months - months * (max(count, 1) - 1)
    return periods_between(date(month_index // 12, month_index % 12 + 1, 1), today, months)
