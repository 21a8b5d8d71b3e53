"""Settings for the test run: the app's own, plus a small app that tests use."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.ledger"]  # noqa: F405

# Hashing passwords slowly protects stored passwords, not test users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
