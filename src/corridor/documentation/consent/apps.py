from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "corridor.documentation.consent"
    label = "consent"
    verbose_name = "Consent and exports"

    def ready(self) -> None:
        from corridor.documentation import revocation
        from corridor.documentation.consent import models, sealing

        # A consent's envelope and a withdrawal's note are under the collection key and bind
        # the consent's own columns: a re-key of the collection seals them again with those.
        revocation.REKEYED.extend(
            revocation.Rekeyed(
                model, relation, (field,), open_envelope=sealing.open_sealed, seal_envelope=sealing.seal
            )
            for model, relation, field in (
                (models.Consent, "collection", "sealed"),
                (models.Withdrawal, "consent__collection", "note"),
            )
        )
