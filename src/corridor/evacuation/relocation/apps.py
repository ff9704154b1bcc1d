from django.apps import AppConfig


class RelocationConfig(AppConfig):
    name = "corridor.evacuation.relocation"
    label = "relocation"
    verbose_name = "Relocation"
