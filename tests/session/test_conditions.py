"""The conditions the session keeps: one per kind, counting down, saying what blocks submit."""

from __future__ import annotations

from fttui.api import errors
from fttui.session.conditions import BLOCKING, Conditions
from fttui.session.problems import explain


def test_a_new_condition_replaces_the_old_one_of_its_kind_and_leaves_the_others() -> None:
    conditions = Conditions()
    conditions.set("offline", "Offline.")
    conditions.set("queue", "Queue full.")
    conditions.set("offline", "Still offline.")
    assert [c.kind for c in conditions] == ["offline", "queue"]
    assert conditions.text_of("offline") == "Still offline."
    assert conditions.clear("queue") and not conditions.clear("queue")
    assert conditions.kinds == {"offline"}


def test_a_countdown_ends_after_its_seconds_and_says_which_ended() -> None:
    conditions = Conditions()
    conditions.set("rate", "Going on in {seconds} s.", seconds=2.2)
    conditions.set("plan", "No API access.")
    assert conditions.counting
    assert conditions.text_of("rate") == "Going on in 3 s."
    assert conditions.tick() == [] and conditions.text_of("rate") == "Going on in 2 s."
    assert conditions.tick() == []
    assert conditions.tick() == ["rate"]
    assert conditions.kinds == {"plan"} and not conditions.counting


def test_server_braces_are_not_taken_for_the_countdown() -> None:
    conditions = Conditions()
    conditions.set("server", "The server had a problem ({seconds} {x})")
    assert conditions.text_of("server") == "The server had a problem ((seconds) (x))"


def test_submit_is_blocked_by_the_blocking_kinds_only_with_their_reason() -> None:
    conditions = Conditions()
    conditions.set("offline", "Offline.")
    conditions.set("queue", "Queue full.")
    assert conditions.submit_blocked_reason() == ""
    problem = explain(errors.MonthlyLimitReached("no credits left", status=402))
    conditions.set(problem.kind, problem.text)
    assert problem.blocks_submit
    assert conditions.submit_blocked_reason() == BLOCKING["credits"]


def test_a_problem_said_once_has_its_seconds_filled_in() -> None:
    problem = explain(errors.TransportError("connect failed"))
    assert "{seconds}" in problem.text  # the banner counts it down
    assert "{" not in problem.said_once and " s." in problem.said_once
    plain = explain(errors.NotFound("gone", status=404))
    assert plain.said_once == plain.text
