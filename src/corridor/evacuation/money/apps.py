from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "corridor.evacuation.money"
    label = "money"
    verbose_name = "Money"

    def ready(self) -> None:
        from corridor.cases import panels, sealing
        from corridor.evacuation.money import panel
        from corridor.evacuation.money.models import Expense

        # The details bind what the expense is (its amount too): a database write that
        # changes an amount or a category makes them unreadable rather than misleading.
        sealing.register(
            Expense,
            "case",
            {
                "details": sealing.bound("category", "amount", "currency", "month", "budget_line_id"),
                "receipt": sealing.bound("receipt_blob"),
            },
        )
        panels.register(name="money", template="money/panel.html", build=panel.build, order=60)
