"""Walk a hash chain from its first row and report the first broken link."""

import dataclasses
from collections.abc import Callable

from eventstore.canonical import GENESIS_HASH, chain_hash
from eventstore.models import AuditEntry, ChainHead, Event

CHAINS: dict[str, type[Event] | type[AuditEntry]] = {
    ChainHead.EVENTS: Event,
    ChainHead.AUDIT: AuditEntry,
}


@dataclasses.dataclass(frozen=True)
class ChainReport:
    chain: str
    rows: int
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_chain(
    chain: str,
    batch_size: int = 2000,
    on_batch: Callable[[int], None] = lambda count: None,
) -> ChainReport:
    """Recompute every hash of ``chain`` in position order, up to its head.

    The head is read first: rows appended while the walk goes on lie beyond it,
    and a busy system still verifies.
    """
    model = CHAINS[chain]
    head = ChainHead.objects.filter(chain=chain).first()
    if head is None:
        return ChainReport(chain, 0, 1, "head is missing")
    expected_position = 1
    previous_hash = GENESIS_HASH

    rows = (
        model._default_manager.filter(position__lte=head.last_position)
        .order_by("position")
        .iterator(chunk_size=batch_size)
    )
    for row in rows:
        if row.position != expected_position:
            return ChainReport(
                chain,
                expected_position - 1,
                expected_position,
                f"position {expected_position} is missing (next is {row.position})",
            )
        try:
            recomputed = chain_hash(previous_hash, row.position, row.chained_body())
        except ValueError as error:
            return ChainReport(chain, row.position - 1, row.position, str(error))
        if recomputed != row.hash:
            return ChainReport(
                chain,
                row.position - 1,
                row.position,
                f"row {row.position} does not match its hash",
            )
        previous_hash = row.hash
        expected_position += 1
        if row.position % batch_size == 0:
            on_batch(batch_size)

    return _check_head(head, expected_position - 1, previous_hash)


def _check_head(head: ChainHead, last_position: int, last_hash: str) -> ChainReport:
    """The head must point at the last row: rows cut from the end show here."""
    chain = head.chain
    if head.last_position != last_position:
        return ChainReport(
            chain,
            last_position,
            last_position + 1,
            f"head records position {head.last_position}, the log ends at "
            f"{last_position}",
        )
    if head.last_hash != last_hash:
        return ChainReport(
            chain,
            last_position,
            last_position,
            f"head hash does not match row {last_position}",
        )
    return ChainReport(chain, last_position)
