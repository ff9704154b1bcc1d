from django.apps import AppConfig


class RelocationConfig(AppConfig):
    name = "corridor.evacuation.relocation"
    label = "relocation"
    verbose_name = "Relocation"

    def ready(self) -> None:
        from corridor.cases import panels, sealing
        from corridor.evacuation.relocation import models
        from corridor.evacuation.relocation.panel import build_panel

        sealing.register(
            models.Pathway,
            "case",
            {
                "note": sealing.bound("kind", "destination", "partner_id"),
                "outcome_note": sealing.bound("kind", "destination", "outcome"),
            },
        )
        sealing.register(models.Milestone, "case", {"body": sealing.bound("pathway_id", "kind")})
        sealing.register(
            models.Consent,
            "case",
            {
                "note": sealing.bound("partner_id", "given_on", "channel"),
                "withdrawal_note": sealing.bound("partner_id"),
            },
        )
        sealing.register(
            models.Referral,
            "case",
            {
                "message": sealing.bound("partner_id", "consent_id", "fields"),
                "packet": sealing.bound("partner_id", "consent_id", "fields", "approval_id"),
            },
        )
        panels.register(name="relocation", template="relocation/panel.html", build=build_panel, order=40)
