"""The documents read model, projected from the document events."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import Customer


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    FAILED = "failed", _("Failed")
    ARCHIVED = "archived", _("Archived")
    DELETED = "deleted", _("Deleted")


class CustomerDocumentQuerySet(models.QuerySet):
    def visible(self):
        """Everything but deleted documents, whose history alone remains."""
        return self.exclude(status=Status.DELETED)


class CustomerDocument(models.Model):
    """A customer's document as the events describe it; rebuilt from them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("customer"),
    )
    original_filename = models.CharField(_("file name"), max_length=255)
    sanitized_filename = models.CharField(_("stored name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255)
    storage_key = models.CharField(_("storage key"), max_length=200, unique=True)
    storage_alias = models.CharField(_("storage"), max_length=50)
    bucket = models.CharField(_("bucket"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    size = models.BigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    upload_error = models.TextField(_("upload error"), blank=True)
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = CustomerDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer document")
        verbose_name_plural = _("customer documents")
        ordering = ["-created_at"]
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["customer", "-created_at"], name="document_customer_newest"
            ),
            models.Index(fields=["status", "created_at"], name="document_status"),
        ]

    def __str__(self) -> str:
        return self.original_filename
