from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """A small event-sourced app that exercises the event store in tests."""

    name = "tests.ledger"
    label = "ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tests.ledger import projections  # noqa: F401 - registers it
