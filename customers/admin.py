from django.contrib import admin

from customers.models import Customer
from documents import permissions, services
from documents.forms import AttachDocumentsForm


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Find customers by name, email or id; filter by kind and creation date."""

    list_display = ["name", "kind", "email", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["name", "email", "=id"]
    readonly_fields = ["id", "created_at"]
    fields = ["id", "kind", "name", "email", "created_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self.get_object(request, object_id)
        if customer is not None and self.has_view_or_change_permission(
            request, customer
        ):
            extra_context = {**(extra_context or {}), **_documents(request, customer)}
        return super().change_view(request, object_id, form_url, extra_context)


def _documents(request, customer: Customer) -> dict:
    """The customer's documents and attach form, as far as the user may see."""
    user = request.user
    context = {
        "may_attach": permissions.has_permission(user, permissions.CREATE, customer),
        "attach_form": AttachDocumentsForm(),
        "documents": None,
    }
    if permissions.has_permission(user, permissions.LIST, customer):
        page = request.GET.get("documents_page", 1)
        context["documents"] = services.list_documents(user, customer.id, page)
    return context
