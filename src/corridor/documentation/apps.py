from django.apps import AppConfig


class DocumentationConfig(AppConfig):
    name = "corridor.documentation"
    label = "documentation"
    verbose_name = "Documentation"
