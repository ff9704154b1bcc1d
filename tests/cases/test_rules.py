"""The pipeline's rules as data: properties that hold for every stage, flag and outcome."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corridor.cases import rules
from corridor.cases.models import ApprovalKind, FlagKind, Outcome, Stage, VettingFailure

stages = st.sampled_from(Stage.values)
flag_sets = st.sets(st.sampled_from(FlagKind.values))
reasons = st.sampled_from(["", *VettingFailure.values, "made_up"])
outcomes = st.sampled_from([*Outcome.values, "made_up"])


@given(stages, stages)
def test_moves_from_is_exactly_the_graph(source: str, target: str) -> None:
    offered = {move.to_stage: move.reason for move in rules.moves_from(source)}
    assert (target in offered) == rules.is_move(source, target)
    if target in offered:
        expected = (
            "step_back"
            if rules.is_back(source, target)
            else ("shortcut" if (source, target) in rules.SHORTCUTS else "progress")
        )
        assert offered[target] == expected
    # Closing and reopening are never plain moves.
    assert not rules.is_move(source, Stage.CLOSED)
    assert not rules.is_move(Stage.CLOSED, target)


@given(stages, stages)
def test_stepping_back_needs_no_approval_and_forward_gates_are_fixed(source: str, target: str) -> None:
    if rules.is_back(source, target):
        assert rules.gates(source, target) == ()
        assert target not in rules.FORWARD.get(source, ())
    else:
        assert rules.gates(source, target) == rules.GATES.get((source, target), ())


@given(stages)
def test_leaving_the_country_always_needs_go_and_departure(source: str) -> None:
    if rules.is_move(source, Stage.DEPARTED):
        needed = set(rules.gates(source, Stage.DEPARTED))
        assert {ApprovalKind.GO_NO_GO, ApprovalKind.DEPARTURE} <= needed


def test_every_gate_names_who_decides() -> None:
    assert not rules.TWO_PERSON & rules.COORDINATOR_ONLY
    for kinds in rules.GATES.values():
        for kind in kinds:
            assert kind in rules.TWO_PERSON | rules.COORDINATOR_ONLY
    assert ApprovalKind.GO_NO_GO in rules.TWO_PERSON
    assert {ApprovalKind.DEPARTURE, ApprovalKind.CLOSURE} <= rules.COORDINATOR_ONLY


def test_every_active_stage_is_reachable_from_intake() -> None:
    seen, todo = {Stage.INTAKE.value}, [Stage.INTAKE.value]
    while todo:
        for target in rules.FORWARD.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(rules.ACTIVE_STAGES)


@given(stages, flag_sets, st.booleans())
def test_blocking_flags_follow_flag_blocks(target: str, flags: set[str], back: bool) -> None:
    blocking = rules.blocking_flags(target, flags, back=back)
    if back:
        assert blocking == []
    else:
        assert blocking == sorted(f for f in flags if target in rules.FLAG_BLOCKS[f])
    # Closing is never blocked; lost contact and hold stop every other step forward.
    assert rules.blocking_flags(Stage.CLOSED, flags) == []
    if not back and target != Stage.CLOSED:
        for flag in {FlagKind.LOST_CONTACT, FlagKind.ON_HOLD} & flags:
            assert flag in blocking


@given(stages, outcomes, reasons)
def test_outcomes_and_their_subjects(stage: str, outcome: str, reason: str) -> None:
    allowed = rules.outcome_allowed(stage, outcome, reason)
    assert allowed == ((outcome, reason) in rules.outcomes_from(stage))
    if allowed:
        assert stage != Stage.CLOSED
        assert outcome in Outcome.values
        assert bool(reason) == (outcome == Outcome.FAILED_VETTING)
        assert stage in rules.OUTCOME_FROM.get(outcome, rules.ANY_ACTIVE)
        # The subject parses back the way request_approval reads it, and names only this closure.
        subject = rules.closure_subject(outcome, reason)
        parsed, _sep, parsed_reason = subject.partition(":")
        assert (parsed, parsed_reason) == (outcome, reason)


@given(stages, stages, outcomes, reasons, outcomes, reasons)
def test_closure_subjects_never_collide(s1: str, s2: str, o1: str, r1: str, o2: str, r2: str) -> None:
    if rules.outcome_allowed(s1, o1, r1) and rules.outcome_allowed(s2, o2, r2) and (o1, r1) != (o2, r2):
        assert rules.closure_subject(o1, r1) != rules.closure_subject(o2, r2)
