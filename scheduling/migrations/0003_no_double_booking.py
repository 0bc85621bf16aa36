"""On PostgreSQL the database itself refuses two active bookings of one interviewer at
overlapping times. SQLite has no exclusion constraints: there, bookings run in IMMEDIATE
transactions that take the write lock before they read, so the check in booking.py is
serialised instead."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_sessionattendee
    ADD CONSTRAINT no_double_booking
    EXCLUDE USING gist (interviewer_id WITH =, tstzrange(start_at, end_at) WITH &&)
    WHERE (active);
"""
DROP = "ALTER TABLE scheduling_sessionattendee DROP CONSTRAINT IF EXISTS no_double_booking;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_plans_interviews_outbox")]

    operations = [migrations.RunPython(create, drop)]
