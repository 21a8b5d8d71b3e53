from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Customer documents"
admin.site.site_title = "Customer documents"
admin.site.index_title = "Customers, documents and their history"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
