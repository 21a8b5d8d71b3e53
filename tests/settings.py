"""Settings for the test run: the app's own, plus a small app that tests use."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.ledger"]  # noqa: F405

# Hashing passwords slowly protects stored passwords, not test users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A bucket of the tests' own, emptied as a run starts: a test that lists or
# cleans the bucket never sees, or removes, what `make run` stored.
DOCUMENTS_BUCKET = f"{DOCUMENTS_BUCKET}-tests"  # noqa: F405
STORAGES["documents"]["OPTIONS"]["bucket_name"] = DOCUMENTS_BUCKET  # noqa: F405
