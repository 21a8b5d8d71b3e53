from django.urls import reverse

from eventstore.models import AuditEntry


def test_every_response_carries_a_request_id(client):
    response = client.get(reverse("admin:login"))

    assert len(response["X-Request-ID"]) == 32


def test_a_plain_request_id_from_the_caller_is_kept(client):
    response = client.get(reverse("admin:login"), HTTP_X_REQUEST_ID="lb-1234")

    assert response["X-Request-ID"] == "lb-1234"


def test_a_hostile_request_id_is_replaced(client):
    response = client.get(
        reverse("admin:login"), HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b"
    )

    assert response["X-Request-ID"] != "x\r\nSet-Cookie: a=b"
    assert len(response["X-Request-ID"]) == 32


def test_audit_entries_carry_the_request_actor_address_and_id(client, superuser):
    client.force_login(superuser)

    client.get(
        reverse("admin:eventstore_event_export"),
        HTTP_X_REQUEST_ID="req-42",
        REMOTE_ADDR="192.0.2.7",
    )

    entry = AuditEntry.objects.get()
    assert (entry.actor_name, entry.client_address, entry.request_id) == (
        superuser.username,
        "192.0.2.7",
        "req-42",
    )
