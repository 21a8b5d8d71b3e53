"""Production settings refuse to start unsafely; development needs nothing."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENVIRONMENT = {
    "DJANGO_PRODUCTION": "true",
    "DJANGO_SECRET_KEY": "k3y-" + "x7Qp2Zr9Lm4Tv8Bn1Wc6Hd0Jf5Gs3Ky" * 2,
    "DJANGO_ALLOWED_HOSTS": "documents.bank.example",
    "DOCUMENTS_S3_ENDPOINT_URL": "https://s3.eu-west-1.amazonaws.com",
}


def python(
    *args: str, timeout: int = 60, **environment: str
) -> subprocess.CompletedProcess:
    """Run Python in the project, in a process of its own with ``environment``."""
    return subprocess.run(
        [sys.executable, *args],
        env=os.environ | environment,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=timeout,
    )


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    return python("manage.py", *args, **environment)


def test_production_settings_pass_the_deployment_checks():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENVIRONMENT
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "Set DJANGO_SECRET_KEY"),
        ("DJANGO_ALLOWED_HOSTS", "Set DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without(missing, message):
    result = manage("check", **(PRODUCTION_ENVIRONMENT | {missing: ""}))

    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_plain_http_storage_endpoint():
    environment = PRODUCTION_ENVIRONMENT | {
        "DOCUMENTS_S3_ENDPOINT_URL": "http://s3.internal.example"
    }

    result = manage("check", **environment)

    assert result.returncode != 0
    assert "DOCUMENTS_S3_ENDPOINT_URL must be an https:// URL" in result.stderr


def test_an_unknown_storage_backend_is_named_in_the_error():
    result = manage("check", DOCUMENTS_STORAGE_BACKEND="ftp")

    assert result.returncode != 0
    assert "DOCUMENTS_STORAGE_BACKEND must be s3 or gcs, not 'ftp'" in result.stderr


def test_a_malformed_number_setting_is_named_in_the_error():
    result = manage("check", DOCUMENTS_DOWNLOAD_LINK_EXPIRY="five minutes")

    assert result.returncode != 0
    assert "DOCUMENTS_DOWNLOAD_LINK_EXPIRY must be a whole number" in result.stderr


def test_download_links_expire_after_five_minutes_unless_configured():
    assert settings.DOCUMENTS_DOWNLOAD_LINK_EXPIRY == 300
    assert settings.STORAGES["documents"]["OPTIONS"]["querystring_expire"] == 300


SERVE_ADMIN_STYLESHEET = """
import django
django.setup()
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

call_command("collectstatic", interactive=False, verbosity=0)
response = Client(headers={"host": "documents.bank.example"}).get(
    static("admin/css/base.css"), secure=True
)
print(response.status_code, response["Cache-Control"])
"""


def test_production_serves_the_admin_stylesheet_itself_cached_for_good(tmp_path):
    result = python(
        "-c",
        SERVE_ADMIN_STYLESHEET,
        timeout=120,
        **PRODUCTION_ENVIRONMENT,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_STATIC_ROOT=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    status, cache_control = result.stdout.split(" ", 1)
    assert status == "200"
    assert "immutable" in cache_control
