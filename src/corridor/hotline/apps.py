from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "corridor.hotline"
    label = "hotline"
    verbose_name = "Hotline"
