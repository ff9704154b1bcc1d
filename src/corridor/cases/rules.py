"""The pipeline's rules, as data: which stage may follow which, what each move needs, what blocks it.

Pure functions over codes, so the rules can be checked exhaustively (tests/cases/
test_rules.py) and the services only ask them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from corridor.cases.models import ApprovalKind, FlagKind, Outcome, Stage, VettingFailure

S = Stage
ACTIVE_STAGES = tuple(stage for stage in Stage if stage != Stage.CLOSED)

# The usual path, and the two shortcuts of DESIGN.md: screening straight to relocating
# when the person is already out of the region; sheltered straight to closed as
# resettled in the country (a closure, below).
FORWARD: dict[str, frozenset[str]] = {
    S.INTAKE: frozenset({S.SCREENING}),
    S.SCREENING: frozenset({S.VETTING, S.RELOCATING}),
    S.VETTING: frozenset({S.PLANNING}),
    S.PLANNING: frozenset({S.IN_TRANSIT}),
    S.IN_TRANSIT: frozenset({S.SHELTERED}),
    S.SHELTERED: frozenset({S.RELOCATING}),
    S.RELOCATING: frozenset({S.DEPARTED}),
    S.DEPARTED: frozenset({S.ARRIVED}),
    S.ARRIVED: frozenset({S.FOLLOW_UP}),
    S.FOLLOW_UP: frozenset(),
}
SHORTCUTS = frozenset({(S.SCREENING, S.RELOCATING)})

# Plans change: a movement is called off, a pathway abroad fails.
BACK: dict[str, frozenset[str]] = {
    S.VETTING: frozenset({S.SCREENING}),
    S.PLANNING: frozenset({S.VETTING}),
    S.IN_TRANSIT: frozenset({S.PLANNING}),
    S.RELOCATING: frozenset({S.SHELTERED}),
}

# Approvals a move needs, approved within the case's current cycle.
GATES: dict[tuple[str, str], tuple[str, ...]] = {
    (S.SCREENING, S.VETTING): (ApprovalKind.ELIGIBILITY,),
    (S.SCREENING, S.RELOCATING): (ApprovalKind.ELIGIBILITY,),
    (S.VETTING, S.PLANNING): (ApprovalKind.VETTING,),
    (S.PLANNING, S.IN_TRANSIT): (ApprovalKind.GO_NO_GO,),
    # Leaving the country: the evacuation decision (two people) and a coordinator's
    # approval of the departure itself, whichever path led here.
    (S.RELOCATING, S.DEPARTED): (ApprovalKind.GO_NO_GO, ApprovalKind.DEPARTURE),
}

# Where a gate's decision may be asked for: at the stage it lets the case leave, so a
# go/no-go is never collected before there is a plan, nor a vetting decision before vetting.
ASKED_AT: dict[str, frozenset[str]] = {
    kind: frozenset(source for (source, _target), needed in GATES.items() if kind in needed)
    for kind in (
        ApprovalKind.ELIGIBILITY,
        ApprovalKind.VETTING,
        ApprovalKind.GO_NO_GO,
        ApprovalKind.DEPARTURE,
    )
}
# Go/no-go is decided at planning for the move out of the region, or at relocating when the
# person went straight to relocation (the shortcut) and leaves the country without a movement.


def may_ask(kind: str, stage: str) -> bool:
    """Whether a decision of this kind can be asked for (or given) at this stage."""
    return stage != S.CLOSED and stage in ASKED_AT.get(kind, ANY_ACTIVE)


def later_stages(stage: str) -> list[str]:
    """This stage and those after it on the path (what a step back to it undoes)."""
    order = list(Stage.values)
    return order[order.index(stage) :]


# Decided by two different people, neither of them the one who asked.
TWO_PERSON = frozenset({ApprovalKind.ELIGIBILITY, ApprovalKind.VETTING, ApprovalKind.GO_NO_GO})
# Decided by one coordinator who is not the one who asked.
COORDINATOR_ONLY = frozenset(
    {ApprovalKind.SPEND, ApprovalKind.PARTNER_REFERRAL, ApprovalKind.DEPARTURE, ApprovalKind.CLOSURE}
)

# Stages a case may be closed from with each outcome (closing always needs a closure approval).
OUTCOME_FROM: dict[str, frozenset[str]] = {
    Outcome.RESETTLED_ABROAD: frozenset({S.ARRIVED, S.FOLLOW_UP}),
    Outcome.RESETTLED_IN_COUNTRY: frozenset({S.SHELTERED, S.FOLLOW_UP}),
    Outcome.FAILED_VETTING: frozenset({S.INTAKE, S.SCREENING, S.VETTING}),
}
ANY_ACTIVE = frozenset(ACTIVE_STAGES)

# The stages a flag keeps a case from entering. Closing is never blocked: a case with
# lost contact or a death must be closable.
_AFTER_VETTING = frozenset({S.PLANNING, S.IN_TRANSIT, S.SHELTERED, S.RELOCATING, S.DEPARTED, S.ARRIVED})
FLAG_BLOCKS: dict[str, frozenset[str]] = {
    FlagKind.LOST_CONTACT: frozenset(ACTIVE_STAGES),
    FlagKind.ON_HOLD: frozenset(ACTIVE_STAGES),
    FlagKind.DETAINED: frozenset({S.IN_TRANSIT, S.SHELTERED, S.RELOCATING, S.DEPARTED, S.ARRIVED}),
    FlagKind.SECURITY_CONCERN: _AFTER_VETTING,
    FlagKind.MEDICAL_HOLD: frozenset({S.IN_TRANSIT, S.DEPARTED}),
    FlagKind.RELOCATION_REFUSED: frozenset({S.RELOCATING, S.DEPARTED}),
}

# Sign-of-life expectations: stages in which a long silence means lost contact.
WATCHED_STAGES = frozenset(
    {S.SCREENING, S.VETTING, S.PLANNING, S.IN_TRANSIT, S.SHELTERED, S.RELOCATING, S.DEPARTED}
)


@dataclass(frozen=True)
class Move:
    to_stage: str
    reason: str  # a ChangeReason value


def moves_from(stage: str) -> list[Move]:
    """Every stage change a case in `stage` may make (closing and reopening are separate)."""
    moves = [
        Move(target, "shortcut" if (stage, target) in SHORTCUTS else "progress")
        for target in FORWARD.get(stage, ())
    ]
    moves += [Move(target, "step_back") for target in BACK.get(stage, ())]
    order = list(Stage.values)
    return sorted(moves, key=lambda move: order.index(move.to_stage))


def is_move(from_stage: str, to_stage: str) -> bool:
    return to_stage in FORWARD.get(from_stage, ()) or to_stage in BACK.get(from_stage, ())


def is_back(from_stage: str, to_stage: str) -> bool:
    return to_stage in BACK.get(from_stage, ())


def gates(from_stage: str, to_stage: str) -> tuple[str, ...]:
    return () if is_back(from_stage, to_stage) else GATES.get((from_stage, to_stage), ())


def blocking_flags(to_stage: str, open_flags: Iterable[str], *, back: bool = False) -> list[str]:
    """The open flags that forbid entering `to_stage` (stepping back is never blocked)."""
    if back:
        return []
    return sorted(flag for flag in open_flags if to_stage in FLAG_BLOCKS.get(flag, frozenset()))


def outcome_allowed(stage: str, outcome: str, reason: str) -> bool:
    if stage == S.CLOSED or outcome not in Outcome.values:
        return False
    if (outcome == Outcome.FAILED_VETTING) != bool(reason):
        return False
    if reason and reason not in VettingFailure.values:
        return False
    return stage in OUTCOME_FROM.get(outcome, ANY_ACTIVE)


def closure_subject(outcome: str, reason: str) -> str:
    """What a closure approval approves: this outcome with this reason, nothing else."""
    return f"{outcome}:{reason}" if reason else outcome


def outcomes_from(stage: str) -> list[tuple[str, str]]:
    """(outcome, reason) pairs a case in `stage` may be closed with."""
    pairs: list[tuple[str, str]] = []
    for outcome in Outcome.values:
        reasons = VettingFailure.values if outcome == Outcome.FAILED_VETTING else [""]
        pairs += [(outcome, reason) for reason in reasons if outcome_allowed(stage, outcome, reason)]
    return pairs
