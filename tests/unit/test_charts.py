from __future__ import annotations

from fractions import Fraction

from salestui.tui.charts import count_spark, progress_bar, rate_spark


def test_count_spark_scales_to_the_largest_and_marks_nothing_low() -> None:
    assert count_spark([0, 0, 0]) == "▁▁▁"
    assert count_spark([0, 5, 10]) == "▁▅█"
    assert len(count_spark([3] * 14)) == 14


def test_rate_spark_leaves_gaps_for_months_without_a_rate() -> None:
    assert rate_spark([None, None]) == ""
    assert rate_spark([Fraction(1, 10), None, Fraction(2, 10)]) == "▁ █"
    assert rate_spark([Fraction(1, 3), Fraction(1, 3)]) == "▄▄"


def test_progress_bar() -> None:
    assert progress_bar(0, 48) == "░" * 14 + "   0%"
    assert progress_bar(24, 48) == "█" * 7 + "░" * 7 + "  50%"
    assert progress_bar(60, 48) == "█" * 14 + " 125%"
    assert progress_bar(5, 0) == ""
