from eventstore.events import RecordedEvent
from eventstore.projections import Projection, register
from tests.ledger.domain import LedgerClosed, LedgerOpened, NoteWritten
from tests.ledger.models import LedgerSummary


@register
class LedgerSummaryProjection(Projection):
    name = "ledger_summary"
    stream_types = frozenset({"ledger"})
    read_models = (LedgerSummary,)

    def handle(self, events: list[RecordedEvent]) -> None:
        for recorded in events:
            match recorded.event:
                case LedgerOpened(owner=owner):
                    LedgerSummary.objects.create(
                        ledger_id=recorded.stream_id,
                        owner=owner,
                        opened_at=recorded.recorded_at,
                        updated_at=recorded.recorded_at,
                    )
                case NoteWritten():
                    summary = LedgerSummary.objects.get(ledger_id=recorded.stream_id)
                    summary.notes += 1
                    summary.updated_at = recorded.recorded_at
                    summary.save()
                case LedgerClosed():
                    LedgerSummary.objects.filter(ledger_id=recorded.stream_id).update(
                        closed=True, updated_at=recorded.recorded_at
                    )
