"""The no-double-booking constraint may be deferred to the end of a transaction.

It stays checked row by row (INITIALLY IMMEDIATE) for every write but a reschedule, which
moves an interview's sessions one after another: one person sitting in two back-to-back
sessions briefly overlaps themself mid-move. Reschedule defers the check until its writes
are done (booking.py). PostgreSQL only, like migration 0003."""

from django.db import migrations

DEFERRABLE = """
ALTER TABLE scheduling_sessionattendee DROP CONSTRAINT IF EXISTS no_double_booking;
ALTER TABLE scheduling_sessionattendee
    ADD CONSTRAINT no_double_booking
    EXCLUDE USING gist (interviewer_id WITH =, tstzrange(start_at, end_at) WITH &&)
    WHERE (active)
    DEFERRABLE INITIALLY IMMEDIATE;
"""
NOT_DEFERRABLE = """
ALTER TABLE scheduling_sessionattendee DROP CONSTRAINT IF EXISTS no_double_booking;
ALTER TABLE scheduling_sessionattendee
    ADD CONSTRAINT no_double_booking
    EXCLUDE USING gist (interviewer_id WITH =, tstzrange(start_at, end_at) WITH &&)
    WHERE (active);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DEFERRABLE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NOT_DEFERRABLE)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0008_feedback_settings_bounds")]

    operations = [migrations.RunPython(forwards, backwards)]
