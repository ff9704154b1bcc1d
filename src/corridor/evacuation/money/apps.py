from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "corridor.evacuation.money"
    label = "money"
    verbose_name = "Money"
