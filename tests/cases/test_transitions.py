"""Random sequences of real workflow calls against one case: the gates hold after every step.

Whatever order people move, ask, decide, flag, close and reopen in, a case never
leaves the country without the two-person go/no-go and a coordinator's departure
approval, a flag always blocks what it blocks, closing needs the coordinator's approval
of that exact outcome, only a coordinator reopens, and a refused call changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corridor.accounts.models import Role, User
from corridor.cases import access, grants, rules, services, workflow
from corridor.cases.keys import KeyLocked
from corridor.cases.models import (
    Approval,
    ApprovalDecision,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseFlag,
    DecisionChoice,
    FlagKind,
    Outcome,
    Stage,
    StageChange,
    VettingFailure,
)
from tests.conftest import make_user
from tests.hotline.helpers import open_web_thread, private_key

# erin is a caseworker who was never granted the case.
# A refusal: the rules say no, or the person holds no key to the case (a view would 404 first).
REFUSED = (services.CaseRefused, KeyLocked)
PEOPLE = ("alice", "bob", "carol", "olga", "erin")
CLOSINGS = [
    (outcome, reason)
    for outcome in Outcome.values
    for reason in (["", *VettingFailure.values] if outcome == Outcome.FAILED_VETTING else [""])
]

person = st.sampled_from(PEOPLE)
operation = st.one_of(
    # A move the graph offers from wherever the case is (index into moves_from), or any stage at all.
    st.tuples(st.just("step"), st.integers(0, 3), person),
    st.tuples(st.just("move"), st.sampled_from(Stage.values), person),
    # Several calls at once to get further along: ask for what a forward move needs, have the
    # others approve it, then move (each call still checked by the services).
    *[st.tuples(st.just("push"), st.integers(0, 1), person)] * 3,
    st.tuples(st.just("request"), st.sampled_from(ApprovalKind.values), person, st.integers(0, 2)),
    st.tuples(st.just("decide"), st.integers(0, 5), person, st.sampled_from(DecisionChoice.values)),
    st.tuples(st.just("raise"), st.sampled_from(FlagKind.values), person),
    st.tuples(st.just("clear"), st.sampled_from(FlagKind.values) | st.integers(0, 2), person),
    st.tuples(st.just("close"), st.sampled_from(CLOSINGS) | st.integers(0, 2), person),
    st.tuples(st.just("reopen"), st.sampled_from(Stage.values), person),
)

# The way out of the country, so every run checks at least one full departure.
TO_DEPARTURE: list[tuple[Any, ...]] = [
    ("step", 0, "alice"),
    ("request", ApprovalKind.ELIGIBILITY, "alice", 0),
    ("decide", 0, "bob", "approve"),
    ("decide", 0, "carol", "approve"),
    ("move", Stage.RELOCATING, "alice"),
    ("request", ApprovalKind.GO_NO_GO, "alice", 0),
    ("decide", 0, "alice", "approve"),  # the requester: refused
    ("decide", 0, "bob", "approve"),
    ("move", Stage.DEPARTED, "alice"),  # one approval is not two
    ("decide", 0, "carol", "approve"),
    ("raise", FlagKind.MEDICAL_HOLD, "bob"),
    ("request", ApprovalKind.DEPARTURE, "alice", 0),
    ("decide", 0, "bob", "approve"),  # a caseworker: refused
    ("decide", 0, "carol", "approve"),
    ("move", Stage.DEPARTED, "alice"),  # the medical hold blocks it
    ("clear", FlagKind.MEDICAL_HOLD, "bob"),
    ("move", Stage.DEPARTED, "alice"),
]


# Closing, reopening, and approvals of the earlier cycle no longer counting.
CLOSE_AND_REOPEN: list[tuple[Any, ...]] = [
    ("step", 0, "alice"),
    ("request", ApprovalKind.ELIGIBILITY, "alice", 0),
    ("decide", 0, "bob", "approve"),
    ("decide", 0, "carol", "approve"),
    ("request", ApprovalKind.CLOSURE, "alice", 0),
    ("close", 0, "alice"),  # not approved yet
    ("decide", 0, "bob", "approve"),  # a caseworker: refused
    ("close", 1, "alice"),  # another outcome than the approved one
    ("decide", 0, "carol", "approve"),
    ("close", 0, "alice"),
    ("raise", FlagKind.ON_HOLD, "alice"),  # closed: flags still go on the record
    ("reopen", Stage.SCREENING, "alice"),  # a caseworker: refused
    ("reopen", Stage.PLANNING, "carol"),  # not a stage to reopen at
    ("reopen", Stage.SCREENING, "carol"),
    ("clear", FlagKind.ON_HOLD, "bob"),
    ("move", Stage.VETTING, "alice"),  # the eligibility approval was of the earlier cycle
]


def _snapshot(case: Case) -> tuple[Any, ...]:
    case = Case.objects.get(pk=case.pk)
    return (
        case.stage,
        case.cycle,
        case.outcome,
        case.outcome_reason,
        StageChange.objects.filter(case=case).count(),
        sorted(Approval.objects.filter(case=case).values_list("id", "status")),
        ApprovalDecision.objects.filter(approval__case=case).count(),
        sorted(CaseFlag.objects.filter(case=case).values_list("id", "cleared_at")),
    )


def _approvers(approval: Approval) -> set[Any]:
    return set(
        approval.decisions.filter(decision=DecisionChoice.APPROVE)
        .exclude(decided_by=approval.requested_by)
        .values_list("decided_by_id", flat=True)
    )


def _approved_by_the_rules(case: Case, kind: str, subject: str = "") -> bool:
    """Judged from the decisions themselves: two approvers (or one coordinator), none the requester,
    no rejection, in the case's current cycle."""
    for approval in Approval.objects.filter(case=case, cycle=case.cycle, kind=kind, subject=subject):
        if approval.decisions.filter(decision=DecisionChoice.REJECT).exists():
            continue
        approvers = _approvers(approval)
        if kind in rules.TWO_PERSON and len(approvers) >= 2:
            return True
        if kind in rules.COORDINATOR_ONLY and any(
            User.objects.get(pk=pk).has_role(Role.COORDINATOR) for pk in approvers
        ):
            return True
    return False


def _departure_allowed(case: Case) -> bool:
    return _approved_by_the_rules(case, ApprovalKind.GO_NO_GO) and _approved_by_the_rules(
        case, ApprovalKind.DEPARTURE
    )


def _closing(case: Case, pick: int) -> tuple[str, str]:
    """One of the outcomes the case's stage allows (or any, once closed), chosen by index."""
    allowed = rules.outcomes_from(case.stage) or CLOSINGS
    return allowed[pick % len(allowed)]


def _run(op: tuple[Any, ...], case: Case, people: dict[str, User], pks: dict[str, bytes]) -> None:
    action, *args = op
    who = people[args[1]]  # every operation names its person second
    key = pks[who.username]
    case = Case.objects.select_related("key").get(pk=case.pk)
    if action == "push":
        forward = [m.to_stage for m in rules.moves_from(case.stage) if m.reason != "step_back"]
        if not forward:
            return
        target = forward[args[0] % len(forward)]
        for kind in workflow.missing_approvals(case, target):
            try:
                approval = workflow.request_approval(actor=who, user_private_key=key, case=case, kind=kind)
            except REFUSED:
                continue
            for name in ("bob", "carol", "alice"):
                if workflow.may_decide(people[name], approval):
                    approval = workflow.decide_approval(
                        actor=people[name], user_private_key=pks[name], approval=approval, decision="approve"
                    )
        action, args = "move", [target, args[1]]
        case = Case.objects.select_related("key").get(pk=case.pk)
    if action in ("step", "move"):
        if action == "step":
            moves = rules.moves_from(case.stage)
            if not moves:
                return
            target = moves[args[0] % len(moves)].to_stage
        else:
            target = args[0]
        flagged = workflow.open_flags(case)
        blocked = rules.is_move(case.stage, target) and not rules.is_back(case.stage, target)
        blocked = blocked and any(target in rules.FLAG_BLOCKS[flag] for flag in flagged)
        needed = rules.gates(case.stage, target) if rules.is_move(case.stage, target) else ()
        try:
            workflow.move_case(actor=who, user_private_key=key, case=case, to_stage=target, note="moved")
        except REFUSED:
            return
        assert not blocked, f"{target} entered with open flags {flagged}"
        for kind in needed:
            assert _approved_by_the_rules(case, kind), f"{target} entered without {kind} of this cycle"
    elif action == "request":
        kind, _who, pick = args
        subject = ""
        if kind == ApprovalKind.CLOSURE:
            subject = rules.closure_subject(*_closing(case, pick))
        elif kind == ApprovalKind.SPEND:
            subject = "450 EUR"
        workflow.request_approval(
            actor=who, user_private_key=key, case=case, kind=kind, subject=subject, note="please"
        )
    elif action == "decide":
        pending = list(
            Approval.objects.filter(case=case, status=ApprovalStatus.PENDING).order_by("requested_at", "id")
        )
        if not pending:
            return
        approval = pending[args[0] % len(pending)]
        decided = workflow.decide_approval(
            actor=who, user_private_key=key, approval=approval, decision=args[2], note="because"
        )
        assert decided.requested_by_id != who.pk
        assert access.readable_cases(who).filter(pk=case.pk).exists(), "decided by someone who cannot read it"
        if decided.kind in rules.COORDINATOR_ONLY:
            assert who.has_role(Role.COORDINATOR)
    elif action == "raise":
        workflow.raise_flag(
            actor=who, user_private_key=key, case=case, kind=args[0], reason="staff_report", note="why"
        )
    elif action == "clear":
        flags = list(CaseFlag.objects.filter(case=case, cleared_at__isnull=True).order_by("kind"))
        if isinstance(args[0], int):  # whichever flag is open
            flag = flags[args[0] % len(flags)] if flags else None
        else:
            flag = next((f for f in flags if f.kind == args[0]), None)
        if flag is None:
            return
        workflow.clear_flag(actor=who, user_private_key=key, flag=flag, note="resolved")
    elif action == "close":
        outcome, reason = args[0] if isinstance(args[0], tuple) else _closing(case, args[0])
        allowed = _approved_by_the_rules(case, ApprovalKind.CLOSURE, rules.closure_subject(outcome, reason))
        workflow.close_case(
            actor=who, user_private_key=key, case=case, outcome=outcome, outcome_reason=reason, note="closed"
        )
        assert allowed, f"closed as {outcome}:{reason} without a coordinator's approval of it"
        case.refresh_from_db()
        assert (case.stage, case.outcome, case.outcome_reason) == (Stage.CLOSED, outcome, reason)
    elif action == "reopen":
        workflow.reopen_case(actor=who, user_private_key=key, case=case, to_stage=args[0], note="back")
        assert who.has_role(Role.COORDINATOR), "reopened by someone who is not a coordinator"


@pytest.mark.django_db
def test_random_workflows_keep_every_gate(
    org: dict[str, object], alice: User, bob: User, carol: User, olga: User
) -> None:
    erin = make_user(org, "erin", {Role.CASEWORKER})
    people = {"alice": alice, "bob": bob, "carol": carol, "olga": olga, "erin": erin}
    pks = {name: private_key(user) for name, user in people.items()}
    reached: list[str] = []

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(operation, min_size=5, max_size=25))
    @example(TO_DEPARTURE)
    @example(CLOSE_AND_REOPEN)
    def check(ops: list[tuple[Any, ...]]) -> None:
        with transaction.atomic():
            thread = open_web_thread().thread
            case = services.open_case_from_thread(
                actor=olga, user_private_key=pks["olga"], thread=thread, caseworker=alice
            ).case
            grants.grant_case_access(actor=alice, user_private_key=pks["alice"], case=case, grantee=bob)
            grants.grant_case_access(actor=alice, user_private_key=pks["alice"], case=case, grantee=carol)
            for op in ops:
                before = _snapshot(case)
                try:
                    # No savepoint of our own: a refusal must leave nothing behind by itself.
                    _run(op, case, people, pks)
                except REFUSED:
                    assert _snapshot(case) == before, f"{op} was refused but changed the case"
                current = Case.objects.get(pk=case.pk)
                if current.stage == Stage.DEPARTED:
                    assert _departure_allowed(current), f"departed without both approvals after {op}"
                    reached.append(str(current.pk))
                if before[0] == Stage.CLOSED and current.stage != Stage.CLOSED:
                    assert op[0] == "reopen"
                    assert people[op[2]].has_role(Role.COORDINATOR)
                    assert current.cycle == before[1] + 1
            transaction.set_rollback(True)

    check()
    assert reached, "the full way out of the country was never taken"
