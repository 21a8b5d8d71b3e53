"""Errors of the documents domain; the message is what an operator reads."""

import uuid

from django.utils.translation import gettext as _


class DocumentError(Exception):
    """Base class of every documents error."""


class InvalidFilename(DocumentError):
    pass


class InvalidUpload(DocumentError):
    """The uploaded file is empty, too large, or otherwise unusable."""


class DocumentNotFound(DocumentError):
    def __init__(self, document_id: object):
        self.document_id = document_id
        super().__init__(_("No document %(id)s was found.") % {"id": document_id})


class CustomerNotFound(DocumentError):
    def __init__(self, customer_id: object):
        self.customer_id = customer_id
        super().__init__(_("No customer %(id)s was found.") % {"id": customer_id})


class TransitionRefused(DocumentError):
    """The operation makes no sense in the document's current status."""

    def __init__(self, document_id: uuid.UUID, status: str, action: str):
        self.document_id = document_id
        self.status = status
        self.action = action
        super().__init__(
            _("Cannot %(action)s document %(id)s: it is %(status)s.")
            % {"action": action, "id": document_id, "status": status}
        )


class DocumentChanged(DocumentError):
    """Someone else changed the document meanwhile; nothing was done."""

    def __init__(self, document_id: uuid.UUID):
        self.document_id = document_id
        super().__init__(
            _(
                "Document %(id)s was changed by someone else at the same time; "
                "nothing was done. Reload it and try again."
            )
            % {"id": document_id}
        )


class StorageError(DocumentError):
    """Storage refused or could not be reached; the cause is chained."""

    def __init__(self, action: str, key: str, cause: BaseException):
        self.key = key
        super().__init__(
            _("Storage could not %(action)s %(key)s: %(cause)s")
            % {"action": action, "key": key, "cause": cause}
        )
