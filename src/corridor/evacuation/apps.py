from django.apps import AppConfig


class EvacuationConfig(AppConfig):
    name = "corridor.evacuation"
    label = "evacuation"
    verbose_name = "Evacuation"

    def ready(self) -> None:
        from corridor.cases import panels, sealing
        from corridor.evacuation import models, reading

        # What a person's evacuation says about where they are: under their case key, each
        # envelope bound to the columns that give it its meaning (a placement's house, a
        # leg's regions, mode and escort, an exposure's asset).
        sealing.register(models.Placement, "case", {"note": sealing.bound("house_id")})
        sealing.register(
            models.Movement,
            "case",
            {"details": sealing.bound("origin_region", "destination_region", "mode", "escort_id")},
        )
        sealing.register(
            models.Exposure,
            "case",
            {"note": sealing.bound("kind", "house_id", "movement_id", "staff_id", "other_case_id", "source")},
        )
        sealing.register(models.PhoneSeizure, "case", {"note": sealing.bound()})
        panels.register(
            name="evacuation", template="evacuation/panel.html", build=reading.build_panel, order=10
        )
