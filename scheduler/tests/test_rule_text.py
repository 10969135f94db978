"""Every rule the solver knows reads in plain words: a name, what it means, a unit, and a sentence."""

from datetime import date

import pytest

from scheduler.rule_text import CURRENCY, POINTS, RULES, SENTENCES, Facts, local_day, rule_unit, sentence
from scheduler.solver import domain as sd
from scheduler.solver.rules import CELL_RULES, HARD_RULES, SOFT_RULES

EVERY_RULE = sorted({*CELL_RULES, *HARD_RULES, *SOFT_RULES})


def test_the_registries_are_not_empty():
    assert len(EVERY_RULE) > 20


@pytest.mark.parametrize("rule", EVERY_RULE)
def test_every_registered_rule_has_a_name_a_meaning_and_a_sentence(rule):
    text = RULES[rule]
    assert text.name and text.means.endswith(".")
    assert rule not in text.name  # words, not the identifier
    assert rule in SENTENCES
    facts = Facts(
        rule=rule,
        person_name="Farid Singh",
        day=date(2026, 12, 10),
        shift="N",
        amount=3,
        detail="",
        contract=sd.Contract(id="c"),
        row=[None] * 14,
        start=date(2026, 12, 7),
        language="en-gb",
    )
    said = sentence(facts)
    assert rule not in said and "_" not in said


def test_the_issue_s_example_reads_as_written():
    # Farid works Mon-Wed, is off Thursday only, and his contract wants two days off in a row
    row = ["E", "E", "E", None, "L", "L", "L"]
    facts = Facts(
        rule="min_consecutive_days_off",
        person_name="Farid Singh",
        day=date(2026, 12, 10),
        shift=None,
        amount=1,
        detail="",
        contract=sd.Contract(id="c", min_consecutive_days_off=2),
        row=row,
        start=date(2026, 12, 7),
        language="en-gb",
    )
    assert sentence(facts) == (
        "Farid Singh needs at least 2 days off in a row after working; this leaves 1 (Thu 10 Dec)"
    )


def test_cost_rules_count_in_currency_and_the_rest_in_points():
    assert rule_unit("labour_cost") == rule_unit("overtime_cost") == CURRENCY
    assert rule_unit("shift_off_requests") == rule_unit("cover_under_preferred") == POINTS


def test_days_are_written_in_the_readers_language():
    day = date(2026, 12, 10)
    assert local_day(day, "en-gb") == "Thu 10 Dec"
    assert local_day(day, "de") == "Do 10 Dez"
    assert local_day(day, "fr") == "jeu 10 Déc"


def test_a_shift_on_leave_says_why_the_person_is_away():
    facts = Facts(
        rule="days_off",
        person_name="Farid Singh",
        day=date(2026, 12, 10),
        shift="E",
        amount=1,
        detail="booked_elsewhere",
        contract=None,
        row=[],
        start=date(2026, 12, 7),
        language="en-gb",
    )
    assert sentence(facts) == "Farid Singh already works a shift in another unit on Thu 10 Dec"
