"""What the schema will ask of the database, checked on the database the suite runs against."""

import pytest
from django.db import connection

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only (make test-postgres)"
)


@on_postgres
def test_role_can_create_btree_gist_for_exclusion_constraints(db):
    # Interviews will not overlap for one interviewer thanks to an ExclusionConstraint, whose
    # migration creates btree_gist: production and test roles must be allowed to do that.
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")
        assert cursor.fetchone() == (1,)


@on_postgres
def test_test_database_is_utf8_so_names_round_trip(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        assert cursor.fetchone() == ("UTF8",)
