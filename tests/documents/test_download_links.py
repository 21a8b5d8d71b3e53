"""Download links: presigned by storage, time-limited, never stored or logged."""

import datetime
import urllib.parse

import botocore.auth
import pytest
import requests

from documents import services, storage
from documents.exceptions import TransitionRefused
from eventstore.models import AuditEntry, Event
from eventstore.store import load_stream
from tests.documents.conftest import PDF, upload

HTML = b"<html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def attached(operator, customer, settings):
    """Attach files and remove their objects after the test."""
    documents = []

    def attach(*args, **kwargs):
        document = services.attach_document(
            operator, customer.id, upload(*args, **kwargs)
        )
        documents.append(document)
        return document

    yield attach
    for document in documents:
        location = storage.Location(document.storage_alias, document.bucket)
        storage.delete(location, document.storage_key)


def test_a_link_downloads_the_file_with_a_plain_http_client(operator, attached):
    document = attached()

    link = services.generate_download_link(operator, document.id)
    response = requests.get(link.url, timeout=10)

    assert response.status_code == 200
    assert response.content == PDF


def test_a_link_names_the_original_file_with_an_ascii_fallback(operator, attached):
    document = attached(name="Relevé de compte.pdf")

    response = requests.get(
        services.generate_download_link(operator, document.id).url, timeout=10
    )

    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Releve de compte.pdf"; '
        "filename*=UTF-8''Relev%C3%A9%20de%20compte.pdf"
    )


def test_a_pdf_may_be_previewed_inline(operator, attached):
    document = attached()

    response = requests.get(
        services.generate_download_link(operator, document.id, inline=True).url,
        timeout=10,
    )

    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("page.html", HTML, "text/html"),
        ("logo.svg", SVG, "image/svg+xml"),
        ("run.js", b"alert(1)", "application/javascript"),
    ],
)
def test_markup_and_scripts_never_come_back_inline(
    operator, attached, name, content, content_type
):
    document = attached(name=name, content=content, content_type=content_type)

    link = services.generate_download_link(operator, document.id, inline=True)
    response = requests.get(link.url, timeout=10)

    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert load_stream(document.id)[-1].event.inline is False


def test_an_expired_link_is_refused(operator, attached, monkeypatch):
    document = attached()
    ten_minutes_ago = datetime.datetime.now(datetime.UTC).replace(
        tzinfo=None
    ) - datetime.timedelta(minutes=10)
    # The link is signed as if ten minutes ago; it lived for five.
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: ten_minutes_ago)
    link = services.generate_download_link(operator, document.id)
    monkeypatch.undo()

    response = requests.get(link.url, timeout=10)

    assert response.status_code == 403
    assert b"expired" in response.content.lower()


def test_a_tampered_link_is_refused(operator, attached):
    document = attached()
    url = services.generate_download_link(operator, document.id).url
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    forged = url.replace(
        urllib.parse.quote(query["response-content-disposition"][0], safe=""),
        "inline",
    )

    response = requests.get(forged, timeout=10)

    assert forged != url
    assert response.status_code == 403


def test_the_link_expires_as_configured(operator, attached, settings):
    settings.DOCUMENTS_DOWNLOAD_LINK_EXPIRY = 60
    document = attached()

    link = services.generate_download_link(operator, document.id)

    assert "X-Amz-Expires=60" in link.url
    remaining = link.expires_at - datetime.datetime.now(datetime.UTC)
    assert 55 <= remaining.total_seconds() <= 60


def test_a_link_is_recorded_without_its_url(operator, attached, caplog):
    document = attached()

    link = services.generate_download_link(operator, document.id)

    recorded = load_stream(document.id)[-1]
    assert recorded.event_type == "DownloadLinkGenerated"
    assert recorded.event.expires_at == link.expires_at
    signature = urllib.parse.parse_qs(urllib.parse.urlsplit(link.url).query)[
        "X-Amz-Signature"
    ][0]
    stored = [str(row.data) + str(row.metadata) for row in Event.objects.all()]
    stored += [entry.chained_body() for entry in AuditEntry.objects.all()]
    assert not any(signature in text or "X-Amz" in text for text in stored)
    assert signature not in caplog.text
    assert "X-Amz" not in caplog.text


def test_a_link_from_gcs_is_signed_locally(gcs_documents, operator, attached):
    document = attached()

    link = services.generate_download_link(operator, document.id)

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.url).query)
    assert query["X-Goog-Algorithm"] == ["GOOG4-RSA-SHA256"]
    assert query["X-Goog-Expires"] == ["300"]
    assert query["response-content-disposition"][0].startswith("attachment;")


def test_a_failed_document_cannot_be_downloaded(operator, customer, storage_proxy):
    storage_proxy.cut()
    failed = services.attach_document(operator, customer.id, upload())

    with pytest.raises(TransitionRefused, match=r"Cannot download .* it is Failed"):
        services.generate_download_link(operator, failed.id)

    assert AuditEntry.objects.order_by("-position").first().outcome == "failed"
