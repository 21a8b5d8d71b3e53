from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EventStoreConfig(AppConfig):
    name = "eventstore"
    verbose_name = "Event store and audit log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from eventstore.store import ensure_chain_heads

        # After migrate, and after a test flush emptied every table.
        post_migrate.connect(ensure_chain_heads, sender=self)
