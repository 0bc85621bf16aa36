"""Signals through which apps that build on scheduling (candidates) hear what happened."""

from django.dispatch import Signal

# Sent after a connection was authorized (or re-authorized): kwargs `connection`, `user`.
connection_connected = Signal()

# Sent when calendar events arrive (a webhook): kwargs `connection`, `events` (records.Event),
# `event` ("updated" or "deleted"). Receivers may return lines for the delivery's outcome.
calendar_events_changed = Signal()

# Sent when ATS interviews arrive (a webhook, or the reconcile's list): kwargs `connection`,
# `interviews` (records.Interview), `event`. Receivers may return lines, as above.
ats_interviews_changed = Signal()
