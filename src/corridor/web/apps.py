from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "corridor.web"
    label = "web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        from corridor.web import checks  # noqa: F401 - registers the production checks
