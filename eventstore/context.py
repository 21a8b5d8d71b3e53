"""Who is acting, from where, in which request: the context of events and audit.

The middleware sets it for each request; management commands act as a named
system actor. Services read it to fill event metadata and audit entries.
"""

import contextlib
import contextvars
import dataclasses
import ipaddress
import re
import uuid
from collections.abc import Iterator


@dataclasses.dataclass(frozen=True)
class Actor:
    """Whoever performs an operation: a user, or a named system process."""

    id: str
    name: str

    @classmethod
    def for_user(cls, user) -> "Actor":
        if user is None or not user.is_authenticated:
            return ANONYMOUS
        return cls(id=str(user.pk), name=user.get_username())

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(id="", name=f"system:{name}")


ANONYMOUS = Actor(id="", name="anonymous")


@dataclasses.dataclass(frozen=True)
class OperationContext:
    actor: Actor
    request_id: str
    client_address: str

    def metadata(self) -> dict[str, str]:
        return {
            "actor_id": self.actor.id,
            "actor_name": self.actor.name,
            "request_id": self.request_id,
            "client_address": self.client_address,
        }


_current: contextvars.ContextVar[OperationContext | None] = contextvars.ContextVar(
    "eventstore_operation_context", default=None
)


def current() -> OperationContext:
    """The context of the running operation; a fresh request id outside one."""
    context = _current.get()
    if context is None:
        return OperationContext(ANONYMOUS, new_request_id(), "")
    return context


@contextlib.contextmanager
def acting_as(
    actor: Actor, request_id: str = "", client_address: str = ""
) -> Iterator[OperationContext]:
    context = OperationContext(
        actor=actor,
        request_id=request_id or new_request_id(),
        client_address=normalized_address(client_address),
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def acting_user(user):
    """Act as ``user`` within the current request (its id and address stay)."""
    operation = current()
    return acting_as(
        Actor.for_user(user), operation.request_id, operation.client_address
    )


def system_actor(name: str):
    """Act as a named system process, as management commands do."""
    return acting_as(Actor.system(name))


def new_request_id() -> str:
    return uuid.uuid4().hex


REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def accepted_request_id(value: str | None) -> str:
    """Keep a caller's request id only when it is short and plain."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return new_request_id()


def normalized_address(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""
