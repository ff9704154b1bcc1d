"""Seeds a data directory with overdue check-in schedules for the worker fault test (run as a module).

`python -m tests.evacuation.checkins.switch_seed COUNT` under the test settings: COUNT cases
sheltered somewhere, each with a running schedule whose check-in was due ten hours ago with
a fifteen-minute grace, so all three steps of each are due. The sweep reads plain columns
only, so the cases carry no profile and nobody holds their keys.
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime, timedelta


def seed(count: int) -> None:
    import django

    django.setup()
    from django.db import transaction

    from corridor.cases.models import Case, DataKey, KeyPurpose, Origin, Stage
    from corridor.evacuation.checkins.models import CheckInSchedule

    now = datetime.now(UTC)
    due = now - timedelta(hours=10)
    with transaction.atomic():
        keys = DataKey.objects.bulk_create(
            DataKey(owner=f"cases.Case:{uuid.uuid4()}", purpose=KeyPurpose.CASE, created_at=now)
            for _ in range(count)
        )
        cases = Case.objects.bulk_create(
            Case(
                code=f"C-T{i:05d}",
                origin=Origin.PARTNER,
                key=key,
                stage=Stage.SHELTERED,
                urgency=3,
                created_at=now,
                stage_changed_at=now,
                last_contact_at=now,
                profile=b"",
            )
            for i, key in enumerate(keys)
        )
        CheckInSchedule.objects.bulk_create(
            CheckInSchedule(
                case=case,
                follows_stage=False,
                interval_minutes=60,
                grace_minutes=15,
                next_due_at=due,
                next_step_at=due + timedelta(minutes=15),
                created_at=now,
                changed_at=now,
            )
            for case in cases
        )


if __name__ == "__main__":
    seed(int(sys.argv[1]))
