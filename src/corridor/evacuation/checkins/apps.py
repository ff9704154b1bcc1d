from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "corridor.evacuation.checkins"
    label = "checkins"
    verbose_name = "Check-ins"
