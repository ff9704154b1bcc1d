from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "corridor.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from corridor.cases import models, sealing

        # Case.profile binds only its own row (relation "" is the case itself).
        sealing.register(models.Case, "", {"profile": lambda row: {}})
        sealing.register(models.RiskAssessment, "case", {"factors": sealing.bound()})
        sealing.register(
            models.StageChange,
            "case",
            {"note": sealing.bound("to_stage", "reason", "outcome", "outcome_reason")},
        )
        sealing.register(
            models.CaseFlag, "case", {"note": sealing.bound("kind"), "clear_note": sealing.bound("kind")}
        )
        sealing.register(models.Approval, "case", {"note": sealing.bound("kind", "subject")})
        sealing.register(
            models.ApprovalDecision,
            "approval__case",
            {"note": lambda row: {"approval": str(row.approval_id), "decision": row.decision}},
        )
        sealing.register(models.CaseNote, "case", {"body": sealing.bound("author_id")})
        sealing.register(models.ContactLog, "case", {"note": sealing.bound("channel")})
        sealing.register(models.VettingRecord, "case", {"body": sealing.bound("kind", "author_id")})
        sealing.register(models.RedFlag, "case", {"note": sealing.bound("code")})
        sealing.register(models.Task, "case", {"title": sealing.bound("kind")})
