from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Customer documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from documents import events, projections  # noqa: F401 - registers them
        from documents.storage import forget_storages

        setting_changed.connect(forget_storages)
