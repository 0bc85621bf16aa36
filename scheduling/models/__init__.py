"""Scheduling's models, one module per aggregate; import them from here."""

from .audit import AuditEntry, audit
from .connections import Connection, Interviewer
from .debriefs import Debrief
from .feedback import FeedbackRequest
from .interviews import (
    CandidateChanges,
    Flag,
    Interview,
    InterviewChange,
    InterviewSession,
    NoShow,
    SessionAttendee,
)
from .load import AtsSeat
from .mail import SentEmail
from .outbox import Operation
from .periodic import PeriodicTurn
from .plans import DebriefPanel, InterviewPlan, PlanPool, PlanSession
from .reminders import Reminder
from .tenancy import (
    DEFAULT_INTERVIEW_STATUSES,
    WEEKDAYS,
    CandidateInvitation,
    Membership,
    Tenant,
    User,
    default_interview_statuses,
    default_working_hours,
    timezone_names,
    validate_timezone,
)
from .training import Trainee, TrainingCredit, TrainingEvent, TrainingProgram
from .webhooks import WebhookDelivery, WebhookRejection

__all__ = [
    "DEFAULT_INTERVIEW_STATUSES",
    "WEEKDAYS",
    "AtsSeat",
    "AuditEntry",
    "CandidateChanges",
    "CandidateInvitation",
    "Connection",
    "Debrief",
    "DebriefPanel",
    "FeedbackRequest",
    "Flag",
    "Interview",
    "InterviewChange",
    "InterviewPlan",
    "InterviewSession",
    "Interviewer",
    "Membership",
    "NoShow",
    "Operation",
    "PeriodicTurn",
    "PlanPool",
    "PlanSession",
    "Reminder",
    "SentEmail",
    "SessionAttendee",
    "Tenant",
    "Trainee",
    "TrainingCredit",
    "TrainingEvent",
    "TrainingProgram",
    "User",
    "WebhookDelivery",
    "WebhookRejection",
    "audit",
    "default_interview_statuses",
    "default_working_hours",
    "timezone_names",
    "validate_timezone",
]
