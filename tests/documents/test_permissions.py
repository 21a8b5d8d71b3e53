"""Every operation, for every kind of caller: allowed or denied, and audited.

A denied call raises PermissionDenied, leaves a "denied" audit entry and changes
nothing: no event, no object in storage, no change of the read model.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from documents import permissions, services, storage
from documents.exceptions import TransitionRefused
from documents.models import CustomerDocument
from documents.roles import set_up_roles
from eventstore.models import AuditEntry, Event
from tests.documents.conftest import upload
from tests.factories import CustomerFactory, UserFactory

OPERATIONS = {
    # name: (permission, call)
    "attach": (
        permissions.CREATE,
        lambda user, doc: services.attach_document(user, doc.customer_id, upload()),
    ),
    "retry": (
        permissions.CREATE,
        lambda user, doc: services.retry_upload(user, doc.id, upload()),
    ),
    "list": (
        permissions.LIST,
        lambda user, doc: services.list_documents(user, doc.customer_id),
    ),
    "view": (permissions.READ, lambda user, doc: services.view_document(user, doc.id)),
    "download link": (
        permissions.GENERATE_DOWNLOAD_LINK,
        lambda user, doc: services.generate_download_link(user, doc.id),
    ),
    "archive": (
        permissions.DELETE,
        lambda user, doc: services.archive_document(user, doc.id),
    ),
    "delete": (
        permissions.DELETE,
        lambda user, doc: services.delete_document(user, doc.id),
    ),
}

ROLE_ALLOWS = {
    "Document operator": {"attach", "retry", "list", "view", "download link"},
    "Compliance officer": {"list", "view", "download link"},
    "Document administrator": set(OPERATIONS),
}

CALLERS = [
    "anonymous",
    "staff without permission",
    *ROLE_ALLOWS,
    "grant on this customer",
    "grant on another customer",
]


def allowed(caller: str, operation: str) -> bool:
    if caller in ROLE_ALLOWS:
        return operation in ROLE_ALLOWS[caller]
    return caller == "grant on this customer"


@pytest.fixture
def documents(operator):
    """An Active document of one customer, and of another."""
    made = [
        services.attach_document(operator, CustomerFactory().id, upload())
        for _ in range(2)
    ]
    yield made
    for document in made:
        location = storage.Location(document.storage_alias, document.bucket)
        storage.delete(location, document.storage_key)


def make_caller(caller: str, permission: str, this, other):
    if caller == "anonymous":
        return AnonymousUser()
    user = UserFactory(username=caller.replace(" ", "-"))
    if caller in ROLE_ALLOWS:
        set_up_roles()
        user.groups.add(Group.objects.get(name=caller))
    elif caller.startswith("grant on"):
        customer = (
            this.customer if caller == "grant on this customer" else other.customer
        )
        assign_perm(f"customers.{permission}", user, customer)
    return user


def state() -> tuple:
    return (
        Event.objects.aggregate(Max("position"))["position__max"],
        sorted(CustomerDocument.objects.values_list("id", "status", "version")),
    )


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("caller", CALLERS)
def test_permission_matrix(documents, caller, operation):
    this, other = documents
    permission, call = OPERATIONS[operation]
    user = make_caller(caller, permission, this, other)
    before = state()

    try:
        result = call(user, this)
    except PermissionDenied:
        outcome = "denied"
    except TransitionRefused:
        # Retrying an Active document: past the permission check, refused after.
        outcome = "allowed"
    else:
        outcome = "allowed"
        if operation == "attach":
            storage.delete(storage.current_location(), result.storage_key)

    assert outcome == ("allowed" if allowed(caller, operation) else "denied")
    entry = AuditEntry.objects.order_by("-position").first()
    if outcome == "denied":
        assert entry.outcome == "denied"
        assert state() == before
        location = storage.Location(this.storage_alias, this.bucket)
        assert storage.describe(location, this.storage_key) is not None
    else:
        assert entry.outcome in {"succeeded", "failed"}


def queries_to_list_visible_documents(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        customers = permissions.customers_for(user, permissions.LIST)
        list(CustomerDocument.objects.visible().filter(customer__in=customers))
    return len(queries)


def test_listing_takes_as_many_queries_for_many_customers_as_for_few(operator):
    granted = UserFactory()
    assign_perm(f"customers.{permissions.LIST}", granted, CustomerFactory())
    queries_to_list_visible_documents(granted)  # Warms Django's caches.
    few = queries_to_list_visible_documents(granted)

    attached = []
    for _ in range(40):
        customer = CustomerFactory()
        assign_perm(f"customers.{permissions.LIST}", granted, customer)
        attached.append(services.attach_document(operator, customer.id, upload()))
    many = queries_to_list_visible_documents(granted)

    assert many == few == 1
    for document in attached:
        storage.delete(storage.current_location(), document.storage_key)
