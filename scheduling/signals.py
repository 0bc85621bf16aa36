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

# Sent by scheduling.booking inside the transaction that books, moves or cancels an
# interview: kwargs `interview`. What follows an interview (its debrief) listens, so that
# booking need not import it (docs/design.md, "Layers").
interview_booked = Signal()
# `retimed`: whether a session's times changed (a swap alone changes only the people).
interview_changed = Signal()
interview_canceled = Signal()

# Sent by scheduling.attendance when a no-show is marked or cleared: kwargs `interview`.
# The debrief listens (a candidate who did not attend leaves nothing to decide).
attendance_changed = Signal()

# Sent by scheduling.feedback inside the transaction that submits feedback: kwargs
# `feedback`. Training progress listens: a trainer's verdict may make a session count.
feedback_submitted = Signal()
