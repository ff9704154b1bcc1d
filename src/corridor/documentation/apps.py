from django.apps import AppConfig


class DocumentationConfig(AppConfig):
    name = "corridor.documentation"
    label = "documentation"
    verbose_name = "Documentation"

    def ready(self) -> None:
        from corridor.cases import panels, sealing
        from corridor.documentation import copies
        from corridor.documentation.models import CaseCopy

        # A caseworker's copy of a linked event lives under the case key: re-keying the case
        # seals it again with everything else of the case.
        sealing.register(CaseCopy, "case", {"copy": sealing.bound()})
        panels.register(
            name="documentation", template="documentation/case_panel.html", build=copies.build_panel, order=90
        )
