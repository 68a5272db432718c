from __future__ import annotations

from fractions import Fraction

from rich.console import Console

from salestui.domain.funnel import Funnel
from salestui.tui.charts import count_spark, progress_bar, rate_spark
from salestui.tui.funnel import TrendTable, trend_table


def test_count_spark_scales_to_the_largest_and_marks_nothing_low() -> None:
    assert count_spark([0, 0, 0]) == "▁▁▁"
    assert count_spark([0, 5, 10]) == "▁▅█"
    assert len(count_spark([3] * 14)) == 14


def test_count_spark_rounds_heights_half_up() -> None:
    # 6 x 5/12 = 2.5 steps: half up is ▅ (round() on floats would say ▄, half to even).
    assert count_spark([5, 12]) == "▅█"


def test_rate_spark_leaves_gaps_for_months_without_a_rate() -> None:
    assert rate_spark([None, None]) == ""
    assert rate_spark([Fraction(1, 10), None, Fraction(2, 10)]) == "▅ █"
    assert rate_spark([Fraction(1, 3), Fraction(1, 3)]) == "██"
    assert rate_spark([Fraction(0), None]) == "▁ "


def test_rate_spark_is_drawn_from_zero_so_a_small_change_looks_small() -> None:
    """15% -> 19% is a fifth less, not empty against full (min-max scaling drew ▁█)."""
    assert rate_spark([Fraction(15, 100), Fraction(19, 100)]) == "▇█"
    assert rate_spark([Fraction(15, 100), Fraction(16, 100), Fraction(19, 100)]) == "▇▇█"
    assert rate_spark([Fraction(0), Fraction(1, 100), Fraction(19, 100)]) == "▁▂█"
    assert rate_spark([Fraction(30, 100), Fraction(12, 100)]) == "█▄"  # was █▁


def test_trend_table_says_its_scale_and_marks_thin_months() -> None:
    trend = [
        ("2026-10", Funnel({"calls": 100, "meetings": 15, "sales": 5})),
        ("2026-11", Funnel({"calls": 100, "meetings": 19, "sales": 6})),
    ]
    console = Console(width=100, record=True)
    console.print(trend_table(trend))
    lines = console.export_text().splitlines()
    assert lines[0].strip() == "Rates by month"
    assert lines[1].split() == ["Oct", "Nov", "from", "0%"]
    assert lines[2].split() == ["c→m", "15%", "19%", "▇█"]
    assert lines[3].split() == ["m→s", "33%?", "32%?", "██"]  # from 15 and 19 meetings
    assert lines[4] == "? rests on fewer than 20 calls (or meetings): uncertain"


def test_trend_table_drops_old_months_rather_than_cutting_cells() -> None:
    trend = [
        (f"2026-{month:02d}", Funnel({"calls": 3, "meetings": 2, "sales": 2}))
        for month in range(1, 13)
    ]
    wide = Console(width=120, record=True)
    wide.print(TrendTable(trend))
    assert wide.export_text().splitlines()[3].split()[1:13] == ["100%?"] * 12
    narrow = Console(width=76, record=True)  # the Funnel tab in 80 columns, with a scrollbar
    narrow.print(TrendTable(trend))
    lines = narrow.export_text().splitlines()
    assert "…" not in "".join(lines)
    assert all(len(line.rstrip()) <= 76 for line in lines)
    assert lines[1].split()[-3:] == ["Dec", "from", "0%"]  # the latest months are kept
    assert lines[3].split()[1:-1] == ["100%?"] * (len(lines[3].split()) - 2)


def test_progress_bar() -> None:
    assert progress_bar(0, 48) == "░" * 14 + "   0%"
    assert progress_bar(24, 48) == "█" * 7 + "░" * 7 + "  50%"
    assert progress_bar(60, 48) == "█" * 14 + " 125%"
    assert progress_bar(5, 0) == ""


def test_progress_bar_percent_rounds_to_nearest() -> None:
    assert progress_bar(19, 1000).endswith("   2%")  # was 1% (floor)
    assert progress_bar(6999, 10000).endswith("  70%")  # was 69%
    assert progress_bar(2, 3).endswith("  67%")
    assert progress_bar(999, 1000) == "█" * 13 + "░" + " >99%"  # never 100% before it is
    assert progress_bar(1, 1000).endswith("  <1%")  # never 0% once begun
