"""Ratio of sums, never a mean of ratios; counts sum; what cannot be aggregated says so."""

from cpog.assess.aggregate import Method, Part, aggregate, method_for


def test_a_rate_is_the_ratio_of_sums_not_the_mean_of_rates():
    # 9/10 = 90 % and 500/1000 = 50 %: the mean of rates would be 70 %; 509/1010 = 50,396 %
    parts = [Part("A", 90.0, 9, 10), Part("B", 50.0, 500, 1000)]
    found = aggregate(parts, Method.RATIO)
    assert found.numerator == 509 and found.denominator == 1010
    assert abs(found.value - 50.396039) < 1e-5
    assert found.complete


def test_a_delay_in_days_is_a_ratio_without_percent_scale():
    # 30 days over 3 items, 10 days over 1 item: 40 / 4 = 10 days (mean of means: 10 too, so
    # use uneven ones) 60/3=20 and 10/1=10 → 70/4 = 17,5
    found = aggregate([Part("A", 20.0, 60, 3), Part("B", 10.0, 10, 1)], Method.RATIO)
    assert found.value == 17.5


def test_a_count_sums_and_a_missing_part_withholds_it():
    parts = [Part("A", 120.0), Part("B", 30.0)]
    assert aggregate(parts, Method.SUM, expected=["A", "B"]).value == 150.0
    partial = aggregate(parts, Method.SUM, expected=["A", "B", "C"])
    assert partial.value is None and partial.missing == ("C",)
    assert "somme incomplète" in partial.reason


def test_a_ratio_without_numerator_cannot_be_aggregated():
    found = aggregate([Part("A", 90.0), Part("B", 50.0, 5, 10)], Method.RATIO)
    assert found.value is None and "non agrégeable" in found.reason and "A" in found.reason


def test_zero_denominator_is_not_computable():
    found = aggregate([Part("A", 0.0, 0, 0)], Method.RATIO)
    assert found.value is None and "dénominateur nul" in found.reason


def test_units_choose_the_method():
    assert method_for("%") is Method.RATIO
    assert method_for("jours") is Method.RATIO
    assert method_for("allocataires") is Method.SUM
    assert method_for("places") is Method.SUM
    assert method_for("heures") is Method.SUM  # « Nombre d'heures d'accueil en ALSH »
    assert method_for("€ par unité d'œuvre") is Method.RATIO
    assert method_for("allocataires par an") is Method.SUM


def test_a_rounded_percentage_is_still_a_percentage():
    # « 0,4 % » stored for 1/270 (0,37 %): value ÷ ratio is 108, not 100; still a percentage
    found = aggregate([Part("A", 0.4, 1, 270), Part("B", 50.0, 135, 270)], Method.RATIO)
    assert found.value == 136 / 540 * 100
    # and a mean delay (value = ratio) stays at scale 1
    assert aggregate([Part("A", 2.5, 5, 2)], Method.RATIO).value == 2.5
