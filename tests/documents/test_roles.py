import io

from django.contrib.auth.models import Group
from django.core.management import call_command


def group_permissions(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_setup_roles_creates_the_three_default_groups(db):
    output = io.StringIO()

    call_command("setup_roles", stdout=output)

    assert "Document operator: 5 permissions" in output.getvalue()
    assert group_permissions("Document operator") == {
        "customers.view_customer",
        "customers.customer_document_create",
        "customers.customer_document_list",
        "customers.customer_document_read",
        "customers.customer_document_generate_download_link",
    }
    assert "eventstore.view_auditentry" in group_permissions("Compliance officer")
    assert "customers.customer_document_delete" in group_permissions(
        "Document administrator"
    )


def test_setup_roles_restores_a_role_that_was_changed(db):
    call_command("setup_roles", stdout=io.StringIO())
    operators = Group.objects.get(name="Document operator")
    operators.permissions.clear()

    call_command("setup_roles", stdout=io.StringIO())

    assert len(group_permissions("Document operator")) == 5
    assert Group.objects.filter(name="Document operator").count() == 1
