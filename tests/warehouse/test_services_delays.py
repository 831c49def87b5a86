"""COG 08-25, 08-27, 08-29 to 08-32 on tiny extracts, every figure computed by hand."""

from __future__ import annotations

from engine_tiny import connect, dec, fractions, run, values


def _demarches() -> list[dict[str, object]]:
    return [
        # a1: Fri 10/01 → Fri 31/01/2025: 21 days; 15 working days (3 full weeks after the 10th).
        {"recue_le": "2025-01-10", "traitee_le": "2025-01-31"},
        # a2: processed Sat 01/02 (the 1st, not January): 12 days; working (20/01, 01/02]: 9.
        {"recue_le": "2025-01-20", "traitee_le": "2025-02-01"},
        # a3: still open: never counted as processed.
        {"recue_le": "2025-03-25"},
        # a4: received in December, processed Sun 05/01/2025: 16 days, counted in January 2025;
        # working (Fri 20/12, Sun 05/01]: 23, 24, 26, 27, 30, 31 Dec, 2, 3 Jan = 8 (25/12, 1/1).
        {"recue_le": "2024-12-20", "traitee_le": "2025-01-05"},
        # a5: 01/12 → Tue 31/12/2024: 30 days, in 2024 only (year to date restarts).
        {"recue_le": "2024-12-01", "traitee_le": "2024-12-31"},
        # a6: minima sociaux, 10 days: outside the default perimeter.
        {"recue_le": "2025-01-02", "traitee_le": "2025-01-12", "famille": "minima_sociaux"},
        # a7: aide au logement, 10 days: inside « hors minima ».
        {"recue_le": "2025-02-10", "traitee_le": "2025-02-20", "famille": "aide_logement"},
    ]


def test_08_29_mean_delay_year_to_date() -> None:
    connection = connect(demarches=_demarches())
    results = run(connection, "cog-08-29", "2024-12", "2025-03")
    assert fractions(results) == {
        "2024-12": (30, 1),  # a5
        "2025-01": (21 + 16, 2),  # a1, a4 (a5 was 2024; a2 is processed on 1 February)
        "2025-02": (37 + 12 + 10, 4),  # + a2, a7
        "2025-03": (59, 4),  # a3 still open: unchanged
    }
    assert values(results) == {
        "2024-12": dec("30.000000"),
        "2025-01": dec("18.500000"),  # 37 / 2
        "2025-02": dec("14.750000"),  # 59 / 4
        "2025-03": dec("14.750000"),
    }


def test_08_29_perimeter_and_working_days() -> None:
    connection = connect(demarches=_demarches())
    every = run(connection, "cog-08-29", "2025-01", "2025-01", perimetre="toutes")
    assert fractions(every) == {"2025-01": (21 + 16 + 10, 3)}  # a6 counted
    assert values(every)["2025-01"] == dec("15.666667")  # 47 / 3
    working = run(connection, "cog-08-29", "2025-01", "2025-02", jours="ouvres")
    # January: a1 15 + a4 8 = 23 over 2; February adds a2 9 and a7 (Mon 10/02 → Thu 20/02: 8).
    assert fractions(working) == {"2025-01": (23, 2), "2025-02": (23 + 9 + 8, 4)}
    assert values(working) == {"2025-01": dec("11.500000"), "2025-02": dec("10.000000")}


def test_08_29_leap_year_and_holidays_in_working_days() -> None:
    connection = connect(
        demarches=[
            # Wed 28/02/2024 → Fri 01/03/2024: 2 days (29/02), 2 working days.
            {"recue_le": "2024-02-28", "traitee_le": "2024-03-01"},
            # Thu 17/04/2025 → Tue 22/04/2025: 5 days; Easter Monday off: 2 working days.
            {"recue_le": "2025-04-17", "traitee_le": "2025-04-22"},
            # Fri 11/07/2025 → Tue 15/07/2025: 4 days; 14 July off: 1 working day.
            {"recue_le": "2025-07-11", "traitee_le": "2025-07-15"},
        ]
    )
    calendar_days = run(connection, "cog-08-29", "2024-03", "2025-07")
    working = run(connection, "cog-08-29", "2024-03", "2025-07", jours="ouvres")
    assert fractions(calendar_days)["2024-03"] == (2, 1)
    assert fractions(working)["2024-03"] == (2, 1)
    assert fractions(calendar_days)["2025-04"] == (5, 1)
    assert fractions(working)["2025-04"] == (2, 1)
    assert fractions(calendar_days)["2025-07"] == (5 + 4, 2)
    assert fractions(working)["2025-07"] == (2 + 1, 2)
    # January to March 2025: nothing processed yet this year → non calculable, never 0.
    assert values(calendar_days)["2025-03"] is None
    assert fractions(calendar_days)["2025-03"] == (0, 0)


def _minima() -> list[dict[str, object]]:
    return [
        # RSA demand, 5 days; PPA demand, 9 days; RSA change of situation, 20 days.
        {
            "recue_le": "2025-03-03",
            "traitee_le": "2025-03-08",
            "famille": "minima_sociaux",
            "prestation": "RSA",
        },
        {
            "recue_le": "2025-03-03",
            "traitee_le": "2025-03-12",
            "famille": "minima_sociaux",
            "prestation": "PPA",
        },
        {
            "recue_le": "2025-03-01",
            "traitee_le": "2025-03-21",
            "famille": "minima_sociaux",
            "prestation": "RSA",
            "nature": "changement_situation",
        },
        # prestations légales: never in 08-30 or 08-31.
        {"recue_le": "2025-03-01", "traitee_le": "2025-03-31"},
    ]


def test_08_30_minima_and_prime_activite() -> None:
    connection = connect(demarches=_minima())
    included = run(connection, "cog-08-30", "2025-03", "2025-03")
    assert fractions(included) == {"2025-03": (5 + 9 + 20, 3)}
    assert values(included) == {"2025-03": dec("11.333333")}  # 34 / 3
    excluded = run(connection, "cog-08-30", "2025-03", "2025-03", prime_activite="exclue")
    assert fractions(excluded) == {"2025-03": (5 + 20, 2)}
    assert values(excluded) == {"2025-03": dec("12.500000")}


def test_08_31_demands_of_minima() -> None:
    connection = connect(demarches=_minima())
    included = run(connection, "cog-08-31", "2025-03", "2025-03")
    assert fractions(included) == {"2025-03": (5 + 9, 2)}  # the change of situation is out
    assert values(included) == {"2025-03": dec("7.000000")}
    excluded = run(connection, "cog-08-31", "2025-03", "2025-03", prime_activite="exclue")
    assert values(excluded) == {"2025-03": dec("5.000000")}


def test_08_32_housing_demand_pieces() -> None:
    connection = connect(
        pieces=[
            # aide au logement, demand: 8 days (counted).
            {"recue_le": "2025-05-02", "traitee_le": "2025-05-10", "famille": "aide_logement"},
            # aide au logement, demand, 12 days, processed in June.
            {"recue_le": "2025-05-30", "traitee_le": "2025-06-11", "famille": "aide_logement"},
            # a supporting document: out.
            {
                "recue_le": "2025-05-01",
                "traitee_le": "2025-05-31",
                "famille": "aide_logement",
                "type_piece": "justificatif",
            },
            # another family: out.
            {"recue_le": "2025-05-01", "traitee_le": "2025-05-31"},
            # open at the end of June: out.
            {"recue_le": "2025-06-20", "famille": "aide_logement"},
        ]
    )
    results = run(connection, "cog-08-32", "2025-04", "2025-06")
    assert fractions(results) == {"2025-04": (0, 0), "2025-05": (8, 1), "2025-06": (20, 2)}
    assert values(results) == {"2025-04": None, "2025-05": dec("8.000000"), "2025-06": dec("10")}


def test_08_25_complaints_within_ten_days() -> None:
    connection = connect(
        reclamations=[
            # closed after exactly 10 days: within the delay (≤).
            {"recue_le": "2025-02-03", "close_le": "2025-02-13"},
            # 11 days: late.
            {"recue_le": "2025-02-03", "close_le": "2025-02-14"},
            # still open: in neither count.
            {"recue_le": "2025-02-20"},
            # Fri 28/02 → Mon 10/03: 10 days, 6 working days; counted in March.
            {"recue_le": "2025-02-28", "close_le": "2025-03-10"},
        ]
    )
    results = run(connection, "cog-08-25", "2025-01", "2025-03")
    assert fractions(results) == {"2025-01": (0, 0), "2025-02": (1, 2), "2025-03": (2, 3)}
    assert values(results) == {
        "2025-01": None,  # nothing closed: non calculable, not 0 %
        "2025-02": dec("50.000000"),
        "2025-03": dec("66.666667"),  # 2 / 3 × 100
    }
    strict = run(connection, "cog-08-25", "2025-03", "2025-03", delai_max=9)
    assert fractions(strict) == {"2025-03": (0, 3)}
    assert values(strict) == {"2025-03": dec("0.000000")}  # a true 0 %: 3 closed, none in time
    working = run(connection, "cog-08-25", "2025-03", "2025-03", jours="ouvres")
    # In working days: (03/02, 13/02] = 8, (03/02, 14/02] = 9, (28/02, 10/03] = 6: all ≤ 10.
    assert fractions(working) == {"2025-03": (3, 3)}


def test_08_27_general_information_emails_within_two_days() -> None:
    connection = connect(
        courriels=[
            {"recu_le": "2025-09-01", "repondu_le": "2025-09-03", "nature": "information_generale"},
            {"recu_le": "2025-09-01", "repondu_le": "2025-09-04", "nature": "information_generale"},
            {"recu_le": "2025-09-01", "repondu_le": "2025-09-01", "nature": "dossier"},
            {"recu_le": "2025-09-29", "nature": "information_generale"},  # no answer yet
        ]
    )
    results = run(connection, "cog-08-27", "2025-09", "2025-09")
    assert fractions(results) == {"2025-09": (1, 2)}  # 2 days in time, 3 days late
    assert values(results) == {"2025-09": dec("50.000000")}
    wider = run(connection, "cog-08-27", "2025-09", "2025-09", delai_max=3)
    assert values(wider) == {"2025-09": dec("100.000000")}
