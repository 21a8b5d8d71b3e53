"""The pure rules of documents: names, extensions, keys and how files are served.

No I/O here; everything is a function of its arguments, and property-tested.
"""

import re
import unicodedata
import urllib.parse
import uuid

from django.utils.translation import gettext as _

from documents.exceptions import InvalidFilename

MAX_FILENAME_LENGTH = 255
DEFAULT_CONTENT_TYPE = "application/octet-stream"
KEY_PREFIX = "documents/customer_document/"

EXTENSIONS = {"application/pdf": ".pdf", "text/csv": ".csv"}

# Formats a browser renders without running anything: only these are previewed.
INLINE_CONTENT_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}
)
# Types a download link may name; any other is served as opaque bytes.
SERVED_CONTENT_TYPES = INLINE_CONTENT_TYPES | {"text/csv"}

_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9-]")
# Marks, embeddings, overrides and isolates: what reorders displayed text.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def normalized_filename(name: str) -> str:
    """The name as kept for display and downloads: NFC, trimmed, checked.

    Control characters and the bidi controls that reorder what is shown (such
    as the override that shows ``invoice\u202efdp.exe`` as ``invoiceexe.pdf``)
    are refused: they have no place in a file name and would mislead whoever
    reads it. Joiners, which some scripts and emoji need, stay.
    """
    normalized = unicodedata.normalize("NFC", name or "").strip()
    if not normalized:
        raise InvalidFilename(_("The file has no name."))
    if len(normalized) > MAX_FILENAME_LENGTH:
        raise InvalidFilename(
            _("The file name is longer than %(limit)s characters.")
            % {"limit": MAX_FILENAME_LENGTH}
        )
    if any(
        unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS
        for char in normalized
    ):
        raise InvalidFilename(
            _("The file name contains control or text-direction characters.")
        )
    return normalized


def sanitize_filename(name: str) -> str:
    """Replace each character but ASCII letters, digits and ``-`` with ``-``.

    ``passport scan.pdf`` becomes ``passport-scan-pdf``. The result has as many
    characters as the normalized name, and no look-alike letters.
    """
    return _NOT_ALLOWED.sub("-", normalized_filename(name))


def content_type_essence(content_type: str | None) -> str:
    """``Text/CSV; charset=utf-8`` becomes ``text/csv``; nothing becomes the default."""
    essence = (content_type or "").split(";", 1)[0].strip().lower()
    return essence or DEFAULT_CONTENT_TYPE


def extension_for(content_type: str | None) -> str:
    return EXTENSIONS.get(content_type_essence(content_type), "")


def storage_key(document_id: uuid.UUID, content_type: str | None) -> str:
    return f"{KEY_PREFIX}{document_id}{extension_for(content_type)}"


def can_preview_inline(content_type: str | None) -> bool:
    return content_type_essence(content_type) in INLINE_CONTENT_TYPES


def served_content_type(content_type: str | None) -> str:
    """The type a download link asks storage to serve the bytes with.

    Anything that could run in a browser (HTML, SVG, scripts) comes back as
    opaque bytes, so that no stored file ever executes.
    """
    essence = content_type_essence(content_type)
    return essence if essence in SERVED_CONTENT_TYPES else DEFAULT_CONTENT_TYPE


_NOT_IN_FALLBACK = re.compile(r"[^A-Za-z0-9 ._()-]")


def content_disposition(filename: str, inline: bool) -> str:
    """The header a download link asks for: an ASCII name and the real one.

    Old clients read ``filename``, a plain ASCII stand-in; the others read the
    exact name from ``filename*`` (RFC 5987).
    """
    disposition = "inline" if inline else "attachment"
    exact = urllib.parse.quote(filename, safe="")
    return (
        f'{disposition}; filename="{ascii_filename(filename)}"; '
        f"filename*=UTF-8''{exact}"
    )


def ascii_filename(filename: str) -> str:
    """``Relevé «final».pdf`` becomes ``Releve _final_.pdf``: accents dropped,
    anything else outside plain ASCII replaced."""
    kept = [
        char
        for char in unicodedata.normalize("NFKD", filename)
        if unicodedata.category(char) != "Mn"  # The accents, split off by NFKD.
    ]
    return _NOT_IN_FALLBACK.sub("_", "".join(kept)).strip() or "download"
