from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "corridor.documentation.evidence"
    label = "evidence"
    verbose_name = "Evidence"

    def ready(self) -> None:
        from corridor.documentation import revocation
        from corridor.documentation import sealing as documentation_sealing
        from corridor.documentation.evidence import models, sealing

        # An item's sealed record is under its collection's key: a re-key of the collection seals
        # it again (the files stay under their own file keys, which the record holds).
        documentation_sealing.REGISTRY[(sealing.MODEL, "meta")] = sealing.context_of
        revocation.REKEYED.append(revocation.Rekeyed(models.EvidenceItem, "collection", ("meta",)))
