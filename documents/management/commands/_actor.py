"""The named actor that a document command acts as."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def add_actor_argument(parser) -> None:
    parser.add_argument(
        "--as",
        dest="username",
        required=True,
        help="Username to act as; that user's permissions apply and the audit "
        "log names them.",
    )


def actor(username: str):
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No active user named {username!r}.") from None
