"""The pure arithmetic of a result: quorum and pass rule at their edges, in integers."""

from __future__ import annotations

from fractions import Fraction

import pytest

from storage.decisions.rules import Threshold, evaluate, load_rules

SNAP = {"quorum": ["1/2", "eligible", True, "test"], "pass": ["1/2", "eligible", True, "test"]}


@pytest.mark.parametrize(
    ("voted", "eligible", "met"),
    [(50, 100, False), (51, 100, True), (2, 4, False), (3, 4, True), (0, 0, False), (1, 1, True), (3, 5, True)],
)
def test_more_than_half_is_strict(voted, eligible, met):
    t = Threshold(Fraction(1, 2), "eligible", True, "test", False)
    assert t.met(voted, eligible=eligible, voted=voted) is met


def test_a_non_strict_rule_accepts_exactly_the_share():
    t = Threshold(Fraction(2, 3), "voted", False, "test", False)
    assert t.met(2, eligible=10, voted=3) and not t.met(1, eligible=10, voted=3)


def test_yes_must_be_more_than_half_of_all_households():
    # 60 of 100 voted: quorum met; 50 agree is exactly half of the village: not passed
    assert not evaluate(SNAP, [50, 10, 0], voted=60, eligible=100, yes_no=True).passed
    r = evaluate(SNAP, [51, 9, 0], voted=60, eligible=100, yes_no=True)
    assert r.quorum_met and r.passed and r.carried == 0
    # no quorum: nothing passes, however lopsided
    assert not evaluate(SNAP, [50, 0, 0], voted=50, eligible=100, yes_no=True).passed


def test_a_list_carries_its_top_option_only_if_it_meets_the_rule_and_is_alone():
    assert evaluate(SNAP, [10, 51, 20], voted=81, eligible=100, yes_no=False).carried == 1
    assert evaluate(SNAP, [40, 40, 1], voted=81, eligible=100, yes_no=False).carried is None
    assert evaluate(SNAP, [45, 30, 6], voted=81, eligible=100, yes_no=False).carried is None


def test_the_deployment_file_cites_its_sources_and_marks_what_to_verify():
    r = load_rules("bot/deployments/kim_bang")
    assert r.quorum.verify and r.passing.verify
    assert "10/2022/QH15" in r.quorum.source and "10/2022/QH15" in r.passing.source
    assert r.report_working_days == 5 and "59/2023" in r.report_source
    assert r.online_allowed_for == frozenset({"other"})
