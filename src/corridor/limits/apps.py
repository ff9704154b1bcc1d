from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "corridor.limits"
    label = "limits"
    verbose_name = "Limits"
