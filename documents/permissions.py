"""Who may do what with whose documents.

Each operation has one permission on the Customer model. Granted to a user or a
group, it covers every customer; granted with django-guardian on one customer,
it covers that customer's documents only.
"""

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from customers.models import Customer

CREATE = "customer_document_create"
LIST = "customer_document_list"
READ = "customer_document_read"
GENERATE_DOWNLOAD_LINK = "customer_document_generate_download_link"
DELETE = "customer_document_delete"

ALL = (CREATE, LIST, READ, GENERATE_DOWNLOAD_LINK, DELETE)


def has_permission(user, codename: str, customer: Customer) -> bool:
    if user is None or not user.is_active:
        return False
    permission = f"customers.{codename}"
    return user.has_perm(permission) or user.has_perm(permission, customer)


def has_permission_somewhere(user, codename: str) -> bool:
    """Whether the user holds the permission globally or on any customer."""
    return customers_for(user, codename).exists()


def customers_for(user, codename: str) -> QuerySet[Customer]:
    """The customers whose documents the user may act on; one query, lazily."""
    if user is None or not user.is_active:
        return Customer.objects.none()
    return get_objects_for_user(
        user,
        f"customers.{codename}",
        klass=Customer,
        accept_global_perms=True,
        with_superuser=True,
    )
