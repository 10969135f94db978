from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"

    def ready(self) -> None:
        from api import schema_extensions, signals  # noqa: F401 - registers receivers and schema extensions
