from django.db import models


class LedgerSummary(models.Model):
    """Read model: one row per ledger, kept by the ledger projection."""

    ledger_id = models.UUIDField(primary_key=True)
    owner = models.CharField(max_length=100)
    notes = models.PositiveIntegerField(default=0)
    closed = models.BooleanField(default=False)
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.owner}'s ledger"
