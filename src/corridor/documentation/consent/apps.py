from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "corridor.documentation.consent"
    label = "consent"
    verbose_name = "Consent and exports"
