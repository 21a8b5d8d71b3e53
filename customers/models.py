import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    """A person or a company whose documents the bank keeps."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        COMPANY = "company", _("Company")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        # Granted through a group, these cover every customer; granted through
        # django-guardian on one customer, they cover that customer's documents.
        permissions = [
            ("customer_document_create", _("Can attach documents")),
            ("customer_document_list", _("Can list documents")),
            ("customer_document_read", _("Can view documents and their history")),
            (
                "customer_document_generate_download_link",
                _("Can generate download links"),
            ),
            ("customer_document_delete", _("Can archive and delete documents")),
        ]

    def __str__(self) -> str:
        return self.name
