from django.contrib import admin

from customers.models import Customer


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
