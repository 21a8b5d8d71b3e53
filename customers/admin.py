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

    # Users granted document permissions on single customers (django-guardian)
    # see those customers here, read-only, to reach their documents.

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        if obj is None:
            return permissions.has_permission_somewhere(request.user, permissions.LIST)
        return permissions.has_permission(request.user, permissions.LIST, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_queryset(self, request):
        customers = super().get_queryset(request)
        if super().has_view_permission(request):
            return customers
        granted = permissions.customers_for(request.user, permissions.LIST)
        return customers.filter(id__in=granted.values("id"))

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
