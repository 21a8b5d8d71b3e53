import re
import unicodedata
import uuid

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from documents import rules
from documents.exceptions import InvalidFilename

KEY = re.compile(
    r"documents/customer_document/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    r"(\.pdf|\.csv)?"
)


def acceptable(name: str) -> bool:
    try:
        rules.normalized_filename(name)
    except InvalidFilename:
        return False
    return True


@given(st.text(min_size=1, max_size=300))
def test_a_sanitized_name_holds_only_ascii_letters_digits_and_dashes(name):
    assume(acceptable(name))

    assert re.fullmatch(r"[A-Za-z0-9-]+", rules.sanitize_filename(name))


@given(st.text(min_size=1, max_size=300))
def test_a_sanitized_name_is_as_long_as_the_trimmed_nfc_name(name):
    assume(acceptable(name))

    trimmed = unicodedata.normalize("NFC", name).strip()
    assert len(rules.sanitize_filename(name)) == len(trimmed)


@given(st.uuids(version=4), st.one_of(st.none(), st.text(max_size=80)))
def test_a_storage_key_always_has_the_documented_shape(document_id, content_type):
    assert KEY.fullmatch(rules.storage_key(document_id, content_type))


@pytest.mark.parametrize(
    ("name", "sanitized"),
    [
        ("passport scan.pdf", "passport-scan-pdf"),
        ("José.pdf", "Jos--pdf"),
        ("  statement 2026.csv  ", "statement-2026-csv"),
        ("../../etc/passwd", "------etc-passwd"),
        ("..", "--"),
        ("<script>alert(1)</script>.html", "-script-alert-1---script--html"),
        ("Jose\u0301.pdf", "Jos--pdf"),  # decomposed é, composed by NFC
    ],
)
def test_sanitizing_examples(name, sanitized):
    assert rules.sanitize_filename(name) == sanitized


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "The file has no name."),
        ("   \t ", "The file has no name."),
        ("a" * 256, "The file name is longer than 255 characters."),
        ("invoice\u202efdp.exe", "control or text-direction characters"),
        ("isolate\u2067.pdf", "control or text-direction characters"),
        ("report\n.pdf", "control or text-direction characters"),
        ("nul\x00.pdf", "control or text-direction characters"),
    ],
)
def test_unusable_names_are_refused_with_a_clear_message(name, message):
    with pytest.raises(InvalidFilename, match=re.escape(message)):
        rules.sanitize_filename(name)


def test_joiners_that_scripts_need_are_accepted():
    # Persian "mi-khaham" needs a zero-width non-joiner between its parts.
    name = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.pdf"

    assert rules.normalized_filename(name) == name


def test_a_name_of_255_characters_is_accepted():
    assert len(rules.sanitize_filename("é" * 255)) == 255


@pytest.mark.parametrize(
    ("content_type", "extension"),
    [
        ("application/pdf", ".pdf"),
        ("Application/PDF", ".pdf"),
        ("text/csv; charset=utf-8", ".csv"),
        ("text/plain", ""),
        ("image/svg+xml", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_the_extension_comes_from_the_content_type_essence(content_type, extension):
    document_id = uuid.uuid4()

    assert rules.storage_key(document_id, content_type) == (
        f"documents/customer_document/{document_id}{extension}"
    )


def test_a_missing_content_type_is_octet_stream():
    assert rules.content_type_essence(None) == "application/octet-stream"


@pytest.mark.parametrize(
    ("content_type", "served"),
    [
        ("application/pdf", "application/pdf"),
        ("image/png", "image/png"),
        ("text/csv", "text/csv"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/javascript", "application/octet-stream"),
        ("text/html; charset=utf-8", "application/octet-stream"),
    ],
)
def test_only_harmless_types_are_served_as_themselves(content_type, served):
    assert rules.served_content_type(content_type) == served


@pytest.mark.parametrize(
    ("content_type", "inline"),
    [
        ("application/pdf", True),
        ("image/jpeg", True),
        ("image/svg+xml", False),
        ("text/html", False),
        ("text/csv", False),
    ],
)
def test_only_pdfs_and_raster_images_preview_inline(content_type, inline):
    assert rules.can_preview_inline(content_type) is inline


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("passport.pdf", "passport.pdf"),
        ("Relevé «final».pdf", "Releve _final_.pdf"),
        ('say "hi"\\.txt', "say _hi__.txt"),
        ("契約書.pdf", "___.pdf"),
    ],
)
def test_the_ascii_fallback_keeps_what_ascii_can_say(name, fallback):
    assert rules.ascii_filename(name) == fallback


def test_the_disposition_names_the_file_twice():
    assert rules.content_disposition("Relevé.pdf", inline=False) == (
        "attachment; filename=\"Releve.pdf\"; filename*=UTF-8''Relev%C3%A9.pdf"
    )
