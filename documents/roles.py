"""The default roles, as Django groups of permissions."""

from django.contrib.auth.models import Group, Permission

from documents import permissions

VIEW_CUSTOMERS = "customers.view_customer"
AUDIT_PAGES = ("eventstore.view_auditentry", "eventstore.view_event")

ROLES = {
    "Document operator": (
        VIEW_CUSTOMERS,
        *(
            f"customers.{codename}"
            for codename in (
                permissions.CREATE,
                permissions.LIST,
                permissions.READ,
                permissions.GENERATE_DOWNLOAD_LINK,
            )
        ),
    ),
    "Compliance officer": (
        VIEW_CUSTOMERS,
        *(
            f"customers.{codename}"
            for codename in (
                permissions.LIST,
                permissions.READ,
                permissions.GENERATE_DOWNLOAD_LINK,
            )
        ),
        *AUDIT_PAGES,
    ),
    "Document administrator": (
        VIEW_CUSTOMERS,
        "customers.add_customer",
        "customers.change_customer",
        *(f"customers.{codename}" for codename in permissions.ALL),
        *AUDIT_PAGES,
    ),
}


def set_up_roles() -> dict[str, int]:
    """Create or update each role with exactly its permissions."""
    counts = {}
    for name, permission_names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(dotted) for dotted in permission_names])
        counts[name] = len(permission_names)
    return counts


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
