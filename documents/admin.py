"""Admin pages for customer documents; every action goes through the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import permissions, services
from documents.exceptions import DocumentError
from documents.forms import AttachDocumentsForm, ConfirmForm, RetryUploadForm
from documents.models import CustomerDocument, Status
from documents.rules import can_preview_inline
from eventstore.admin import NoEditing
from eventstore.audit import audited


class StatusFilter(admin.SimpleListFilter):
    """Statuses a listed document can have: deleted ones are never listed."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in Status.choices if value != "deleted"]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(CustomerDocument)
class CustomerDocumentAdmin(NoEditing, admin.ModelAdmin):
    """Every document the user may list, newest first, with its actions."""

    list_display = ["file", "customer", "status", "file_size", "created_at"]
    list_display_links = None
    list_filter = [StatusFilter, "content_type", "created_at"]
    search_fields = ["original_filename", "customer__name", "=id"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    # The model's own admin forms are never used: services make every change.

    def has_view_permission(self, request, obj=None):
        return permissions.has_permission_somewhere(request.user, permissions.LIST)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        with audited("list_documents", object_type="admin"):
            return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        visible = permissions.customers_for(request.user, permissions.LIST)
        return super().get_queryset(request).visible().filter(customer__in=visible)

    @admin.display(description=gettext_lazy("file"), ordering="original_filename")
    def file(self, document: CustomerDocument) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:documents_document_history", args=[document.id]),
            document.original_filename,
        )

    @admin.display(description=gettext_lazy("size"), ordering="size")
    def file_size(self, document: CustomerDocument) -> str:
        return filesizeformat(document.size) if document.size is not None else "-"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._to_history(object_id)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<uuid:document_id>/history/",
                view(self.history_page),
                name="documents_document_history",
            ),
            path(
                "<uuid:document_id>/download/",
                view(self.download),
                name="documents_document_download",
            ),
            path(
                "<uuid:document_id>/archive/",
                view(self.archive),
                name="documents_document_archive",
            ),
            path(
                "<uuid:document_id>/delete/",
                view(self.delete),
                name="documents_document_delete",
            ),
            path(
                "<uuid:document_id>/retry/",
                view(self.retry),
                name="documents_document_retry",
            ),
            path(
                "attach/<uuid:customer_id>/",
                view(self.attach),
                name="documents_document_attach",
            ),
            *super().get_urls(),
        ]

    # The pages.

    def history_page(self, request, document_id):
        try:
            document, history = services.view_document(request.user, document_id)
        except (DocumentError, PermissionDenied) as error:
            return self._back(request, error)
        context = {
            **self.admin_site.each_context(request),
            "title": document.original_filename,
            "opts": self.opts,
            "document": document,
            "history": reversed(history),
            "can_preview": can_preview_inline(document.content_type),
            "may": _may(request.user, document),
            "Status": Status,
        }
        return TemplateResponse(request, "admin/documents/history.html", context)

    def download(self, request, document_id):
        # A POST: each link is recorded, so another site must not make the
        # operator's browser ask for one.
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        inline = request.POST.get("inline") == "1"
        try:
            link = services.generate_download_link(request.user, document_id, inline)
        except (DocumentError, PermissionDenied) as error:
            return self._back(request, error)
        return HttpResponseRedirect(link.url)

    def archive(self, request, document_id):
        return self._confirmed(
            request,
            document_id,
            services.archive_document,
            question=_("Archive this document? Its file stays downloadable."),
            done=_("The document was archived."),
        )

    def delete(self, request, document_id):
        return self._confirmed(
            request,
            document_id,
            services.delete_document,
            question=_(
                "Delete this document? Its file is removed from storage for good; "
                "its history is kept."
            ),
            done=_("The document was deleted."),
        )

    def retry(self, request, document_id):
        document = self._visible_document(request, document_id)
        if document is None:
            return self._back(request, _("No such document."))
        form = RetryUploadForm(
            request.POST or None,
            request.FILES or None,
            initial={"version": document.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.retry_upload(
                    request.user,
                    document_id,
                    form.cleaned_data["file"],
                    expected_version=form.cleaned_data["version"],
                )
            except (DocumentError, PermissionDenied) as error:
                return self._back(request, error, document)
            messages.success(request, _("The file was uploaded again."))
            return self._to_history(document_id)
        return self._form_page(request, document, form, _("Retry the upload"))

    def attach(self, request, customer_id):
        """Attach each posted file; report each outcome on the customer's page."""
        form = AttachDocumentsForm(request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            messages.error(request, _("Choose at least one file to attach."))
            return redirect("admin:customers_customer_change", customer_id)

        for file in form.cleaned_data["attachments"]:
            try:
                document = services.attach_document(request.user, customer_id, file)
            except (DocumentError, PermissionDenied) as error:
                messages.error(
                    request,
                    _("Could not attach %(name)s: %(error)s")
                    % {"name": file.name, "error": error},
                )
                continue
            if document.status == Status.FAILED:
                messages.warning(
                    request,
                    _("Kept %(name)s as Failed, to retry: %(error)s")
                    % {"name": file.name, "error": document.upload_error},
                )
            else:
                messages.success(request, _("Attached %(name)s.") % {"name": file.name})
        customer_page = reverse("admin:customers_customer_change", args=[customer_id])
        if request.headers.get("X-Requested-With") == "XMLHttpRequest":
            # The page's script navigates itself, so the messages show once.
            return JsonResponse({"redirect": customer_page})
        return HttpResponseRedirect(customer_page)

    # Shared steps.

    def _confirmed(self, request, document_id, service, question, done):
        document = self._visible_document(request, document_id)
        if document is None:
            return self._back(request, _("No such document."))
        form = ConfirmForm(request.POST or None, initial={"version": document.version})
        if request.method == "POST" and form.is_valid():
            try:
                service(
                    request.user,
                    document_id,
                    expected_version=form.cleaned_data["version"],
                )
            except (DocumentError, PermissionDenied) as error:
                return self._back(request, error, document)
            messages.success(request, done)
            if service is services.delete_document:
                return redirect("admin:customers_customer_change", document.customer_id)
            return self._to_history(document_id)
        return self._form_page(request, document, form, question, confirm=True)

    def _visible_document(self, request, document_id):
        return self.get_queryset(request).filter(id=document_id).first()

    def _form_page(self, request, document, form, title, confirm=False):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "document": document,
            "form": form,
            "confirm": confirm,
        }
        return TemplateResponse(request, "admin/documents/action.html", context)

    def _back(self, request, error, document=None):
        messages.error(request, str(error) or _("You may not do this."))
        if document is not None:
            return self._to_history(document.id)
        return redirect("admin:documents_customerdocument_changelist")

    def _to_history(self, document_id):
        return redirect("admin:documents_document_history", document_id)


def _may(user, document: CustomerDocument) -> dict[str, bool]:
    """What the user may do with the document, to show only those buttons."""
    return {
        name: permissions.has_permission(user, codename, document.customer)
        for name, codename in {
            "download": permissions.GENERATE_DOWNLOAD_LINK,
            "change": permissions.DELETE,
            "upload": permissions.CREATE,
        }.items()
    }
