from django.apps import AppConfig


class EvacuationConfig(AppConfig):
    name = "corridor.evacuation"
    label = "evacuation"
    verbose_name = "Evacuation"
