from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "corridor.documentation.evidence"
    label = "evidence"
    verbose_name = "Evidence"
