"""The admin pages for documents: every action through the services."""

import pytest
import requests
from django.contrib.messages import get_messages
from django.urls import reverse
from guardian.shortcuts import assign_perm

from documents import permissions
from documents.models import Status
from eventstore.models import AuditEntry
from tests.documents.conftest import PDF, upload
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def admin_client(client, operator):
    client.force_login(operator)
    return client


def attach(client, customer, *files):
    return client.post(
        reverse("admin:documents_document_attach", args=[customer.id]),
        {"attachments": list(files)},
        follow=True,
    )


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_several_files_are_attached_from_the_customer_page(
    admin_client, customer, cleanup
):
    response = attach(
        admin_client, customer, upload(), upload("statement.csv", b"a,b\n", "text/csv")
    )

    assert texts(response) == ["Attached passport scan.pdf.", "Attached statement.csv."]
    assert b"statement.csv" in response.content
    assert customer.documents.filter(status=Status.ACTIVE).count() == 2


def test_an_empty_file_gets_a_clear_message(admin_client, customer):
    response = attach(admin_client, customer, upload(content=b""))

    assert texts(response) == ["Could not attach passport scan.pdf: The file is empty."]
    assert not customer.documents.exists()


def test_the_history_page_shows_the_timeline(admin_client, customer, cleanup):
    attach(admin_client, customer, upload())
    document = customer.documents.get()

    response = admin_client.get(
        reverse("admin:documents_document_history", args=[document.id])
    )

    assert response.status_code == 200
    assert b"DocumentCreated" in response.content
    assert b"FileUploaded" in response.content
    assert b"Preview" in response.content


def test_download_redirects_to_a_working_link(admin_client, customer, cleanup):
    attach(admin_client, customer, upload())
    document = customer.documents.get()

    response = admin_client.post(
        reverse("admin:documents_document_download", args=[document.id])
    )

    assert response.status_code == 302
    assert requests.get(response["Location"], timeout=10).content == PDF


def test_a_download_link_is_never_made_on_a_get(admin_client, customer, cleanup):
    attach(admin_client, customer, upload())
    document = customer.documents.get()

    response = admin_client.get(
        reverse("admin:documents_document_download", args=[document.id])
    )

    assert response.status_code == 405
    assert not AuditEntry.objects.filter(action="generate_download_link").exists()


def test_archiving_asks_first_then_archives(admin_client, customer, cleanup):
    attach(admin_client, customer, upload())
    document = customer.documents.get()
    url = reverse("admin:documents_document_archive", args=[document.id])

    question = admin_client.get(url)
    response = admin_client.post(url, {"version": document.version}, follow=True)

    assert b"Archive this document?" in question.content
    assert texts(response) == ["The document was archived."]
    document.refresh_from_db()
    assert document.status == Status.ARCHIVED


def test_a_stale_confirmation_is_refused_with_a_message(
    admin_client, customer, cleanup
):
    attach(admin_client, customer, upload())
    document = customer.documents.get()

    response = admin_client.post(
        reverse("admin:documents_document_delete", args=[document.id]),
        {"version": document.version - 1},
        follow=True,
    )

    assert "changed by someone else" in texts(response)[0]
    document.refresh_from_db()
    assert document.status == Status.ACTIVE


def test_deleting_returns_to_the_customer_without_the_document(
    admin_client, customer, cleanup
):
    attach(admin_client, customer, upload())
    document = customer.documents.get()

    response = admin_client.post(
        reverse("admin:documents_document_delete", args=[document.id]),
        {"version": document.version},
        follow=True,
    )

    assert texts(response) == ["The document was deleted."]
    assert b"No documents yet." in response.content


def test_the_document_list_shows_only_what_the_user_may_list(client, operator, cleanup):
    mine, theirs = CustomerFactory(name="Mine"), CustomerFactory(name="Theirs")
    for customer in (mine, theirs):
        client.force_login(operator)
        attach(client, customer, upload(name=f"{customer.name}.pdf"))
    clerk = UserFactory()
    assign_perm(f"customers.{permissions.LIST}", clerk, mine)
    client.force_login(clerk)

    response = client.get(reverse("admin:documents_customerdocument_changelist"))

    names = [d.original_filename for d in response.context["cl"].result_list]
    assert names == ["Mine.pdf"]


def test_a_user_without_permission_sees_no_documents_page(client, db):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:documents_customerdocument_changelist"))

    assert response.status_code == 403


def test_the_upload_script_is_told_where_to_go_next(admin_client, customer, cleanup):
    response = admin_client.post(
        reverse("admin:documents_document_attach", args=[customer.id]),
        {"attachments": [upload()]},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )

    assert response.json() == {
        "redirect": reverse("admin:customers_customer_change", args=[customer.id])
    }
    follow = admin_client.get(response.json()["redirect"])
    assert texts(follow) == ["Attached passport scan.pdf."]


def test_opening_the_document_list_is_audited(admin_client, operator):
    admin_client.get(reverse("admin:documents_customerdocument_changelist"))

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.actor_name) == (
        "list_documents",
        "admin",
        operator.username,
    )


def test_a_grant_on_one_customer_opens_that_customer_only(client, customer, cleanup):
    other = CustomerFactory(name="Other Customer")
    clerk = UserFactory()
    assign_perm(f"customers.{permissions.LIST}", clerk, customer)
    client.force_login(clerk)

    listed = client.get(reverse("admin:customers_customer_changelist"))
    own = client.get(reverse("admin:customers_customer_change", args=[customer.id]))
    foreign = client.get(reverse("admin:customers_customer_change", args=[other.id]))

    assert [c.name for c in listed.context["cl"].result_list] == [customer.name]
    assert own.status_code == 200
    assert b"No documents yet." in own.content
    assert foreign.status_code == 302
    listings = AuditEntry.objects.filter(action="list_documents")
    assert [entry.customer_id for entry in listings] == [customer.id]
