from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "corridor.evacuation.checkins"
    label = "checkins"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        from corridor.cases import panels, sealing
        from corridor.evacuation.checkins import models, reading

        # A staff note binds who logged it, how and what the person answered.
        sealing.register(
            models.CheckIn, "case", {"note": sealing.bound("source", "answer", "channel", "logged_by_id")}
        )
        panels.register(name="checkins", template="checkins/panel.html", build=reading.build_panel, order=20)
