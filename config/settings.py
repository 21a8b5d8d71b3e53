"""Settings, read from the environment; the README lists every variable.

With DJANGO_PRODUCTION unset, the app runs for development and tests against
whatever DATABASE_URL and storage the environment names (``python -m
devservices`` fills them in for the embedded servers). With DJANGO_PRODUCTION
set, it refuses to start without a secret key, allowed hosts and HTTPS storage.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotocoreConfig
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env.flag("DJANGO_PRODUCTION")
# Behind a load balancer that terminates TLS and sets X-Forwarded-For/-Proto.
BEHIND_TLS_PROXY = env.flag("DJANGO_BEHIND_TLS_PROXY")
DEBUG = not PRODUCTION and env.flag("DJANGO_DEBUG", default=True)

if PRODUCTION:
    SECRET_KEY = env.required("DJANGO_SECRET_KEY", "production signs sessions with it")
    ALLOWED_HOSTS = env.words("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Set DJANGO_ALLOWED_HOSTS: production serves only the hosts it names"
        )
else:
    # A key made up per process would log everybody out on each restart, so the
    # embedded services hand one in; the fallback only serves one-off commands.
    SECRET_KEY = env.text("DJANGO_SECRET_KEY") or get_random_secret_key()
    ALLOWED_HOSTS = env.words("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "eventstore",
    "customers",
    "documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "eventstore.middleware.OperationContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if PRODUCTION:
    # Serve the admin's CSS and scripts from the app itself: gunicorn serves
    # no files, and stateless app servers need no web server beside them.
    # (In development, runserver serves them.)
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database

if not env.text("DATABASE_URL"):
    raise ImproperlyConfigured(
        "Set DATABASE_URL, or run through 'make run' / 'make test' (or "
        "'python -m devservices run -- ...'), which start an embedded PostgreSQL"
    )
DATABASES = {
    "default": dj_database_url.parse(
        env.text("DATABASE_URL"),
        conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 0, minimum=0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors get no object grants.

# Internationalisation

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.text("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Document storage

DOCUMENTS_STORAGE_BACKEND = env.text("DOCUMENTS_STORAGE_BACKEND", "s3")
# The storage alias new documents go to; each document remembers its own.
DOCUMENTS_STORAGE_ALIAS = "documents"
DOCUMENTS_BUCKET = env.required(
    "DOCUMENTS_BUCKET", "the bucket that holds document bytes"
)
DOCUMENTS_DOWNLOAD_LINK_EXPIRY = env.integer("DOCUMENTS_DOWNLOAD_LINK_EXPIRY", 300)
DOCUMENTS_MAX_UPLOAD_SIZE = env.integer("DOCUMENTS_MAX_UPLOAD_SIZE", 100 * 1024 * 1024)
# Uploads above this size spill from memory to a temporary file while they
# stream in, so memory stays bounded whatever the file size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024


def s3_storage() -> dict:
    endpoint_url = env.text("DOCUMENTS_S3_ENDPOINT_URL") or None
    if PRODUCTION and endpoint_url and not endpoint_url.startswith("https://"):
        raise ImproperlyConfigured(
            "DOCUMENTS_S3_ENDPOINT_URL must be an https:// URL in production"
        )

    encryption = env.text("DOCUMENTS_S3_ENCRYPTION", "AES256")
    object_parameters = {"ServerSideEncryption": encryption}
    if encryption == "aws:kms":
        object_parameters["SSEKMSKeyId"] = env.required(
            "DOCUMENTS_S3_KMS_KEY_ID", "SSE-KMS needs the key to encrypt with"
        )
    elif encryption != "AES256":
        raise ImproperlyConfigured(
            f"DOCUMENTS_S3_ENCRYPTION must be AES256 or aws:kms, not {encryption!r}"
        )

    return {
        "BACKEND": "documents.storage.DocumentS3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_BUCKET,
            "endpoint_url": endpoint_url,
            "region_name": env.text("DOCUMENTS_S3_REGION") or None,
            # Unset keys fall back to boto3's own chain (instance role, profile).
            "access_key": env.text("DOCUMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": env.text("DOCUMENTS_S3_SECRET_ACCESS_KEY") or None,
            "object_parameters": object_parameters,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": DOCUMENTS_DOWNLOAD_LINK_EXPIRY,
            # Keys are document ids: the same key must be written again on retry.
            "file_overwrite": True,
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
            # One PUT per document, so that storage checks its SHA-256 (a
            # multipart upload has per-part checksums only); the body streams
            # from the uploaded file, so memory stays bounded.
            "transfer_config": TransferConfig(
                multipart_threshold=DOCUMENTS_MAX_UPLOAD_SIZE + 1, max_concurrency=4
            ),
            "client_config": BotocoreConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                # S3-compatible servers do not all accept boto3's default
                # checksums; send them only where the operation needs one.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        },
    }


def gcs_storage() -> dict:
    return {
        "BACKEND": "documents.storage.DocumentGCSStorage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_BUCKET,
            "project_id": env.text("DOCUMENTS_GCS_PROJECT_ID") or None,
            "querystring_auth": True,
            "expiration": timedelta(seconds=DOCUMENTS_DOWNLOAD_LINK_EXPIRY),
            "file_overwrite": True,
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
            # On GCE, GKE or Cloud Run there is no key file: sign URLs through
            # the IAM signBlob API with the platform's service account.
            "iam_sign_blob": env.flag("DOCUMENTS_GCS_IAM_SIGN_BLOB"),
            "sa_email": env.text("DOCUMENTS_GCS_SERVICE_ACCOUNT_EMAIL") or None,
        },
    }


STORAGE_BACKENDS = {"s3": s3_storage, "gcs": gcs_storage}
if DOCUMENTS_STORAGE_BACKEND not in STORAGE_BACKENDS:
    raise ImproperlyConfigured(
        f"DOCUMENTS_STORAGE_BACKEND must be s3 or gcs, not "
        f"{DOCUMENTS_STORAGE_BACKEND!r}"
    )

# In production, static files carry a hash of their content in their names
# and are cached for good; `manage.py collectstatic` builds them (and the
# manifest the pages need) before the app starts.
STATIC_FILES_BACKEND = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if PRODUCTION
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATIC_FILES_BACKEND},
    "documents": STORAGE_BACKENDS[DOCUMENTS_STORAGE_BACKEND](),
}

STATIC_URL = "static/"
STATIC_ROOT = Path(env.text("DJANGO_STATIC_ROOT") or BASE_DIR / "var" / "static")

# Security

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.flag("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.integer("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logging: one line per operation, to standard error, where the platform
# collects it.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print each of its lines twice.
        "django": {"handlers": [], "level": "INFO"},
        # boto3 logs request details, presigned URLs among them, at DEBUG.
        "botocore": {"level": "WARNING"},
        "boto3": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
