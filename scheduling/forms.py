import datetime as dt
import itertools
import re

from django import forms

from . import plans
from .lib import labels
from .models import WEEKDAYS, Interviewer, Tenant, timezone_names
from .models.tenancy import (
    LINK_EMAIL_PLACEHOLDERS,
    check_candidate_hours,
    unknown_placeholders,
)
from .unified.records import APPLICATION_STATUSES

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_ranges(text):
    """ "09:00-12:00, 13:00-17:00" → [["09:00", "12:00"], ["13:00", "17:00"]]; "" → []."""
    ranges = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _RANGE.match(part)
        if not match:
            raise forms.ValidationError(f"“{part}” is not a range like 09:00-17:00.")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (h1 <= 23 and m1 <= 59 and (h2 <= 23 or (h2 == 24 and m2 == 0)) and m2 <= 59):
            raise forms.ValidationError(f"“{part}” is not a time of day.")
        start, end = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
        if end <= start:
            raise forms.ValidationError(f"In “{part}” the end is not after the start.")
        ranges.append([start, end])
    ranges.sort()
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if start < end:
            raise forms.ValidationError("These ranges overlap.")
    return ranges


def format_ranges(ranges):
    return ", ".join(f"{start}-{end}" for start, end in ranges)


class InterviewerForm(forms.ModelForm):
    """Admins edit an interviewer's zone, hours, limits and calendar; the name, email and
    ATS id come from the ATS."""

    calendar = forms.ChoiceField(
        required=False, label="Calendar", help_text="Where Convene reads busy times."
    )
    exceptions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Exceptions",
        help_text="One per line: “2026-12-24: off” or “2026-12-31: 09:00-12:00”.",
    )

    class Meta:
        model = Interviewer
        fields = ["timezone", "max_interviews_per_day", "max_interviews_per_week", "active"]
        labels = {
            "timezone": "Time zone",
            "max_interviews_per_day": "Most interviews a day",
            "max_interviews_per_week": "Most interviews a week",
        }
        help_texts = {
            "max_interviews_per_day": "Empty: no limit.",
            "max_interviews_per_week": "Empty: no limit.",
        }

    def __init__(self, *args, calendar_connections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].widget = forms.Select(
            choices=[(z, z) for z in sorted(timezone_names())]
        )
        for index, day in enumerate(WEEKDAYS):
            ranges = self.instance.working_hours[index] if self.instance.working_hours else []
            self.fields[f"hours_{index}"] = forms.CharField(
                required=False,
                label=day,
                initial=format_ranges(ranges),
                help_text="Empty: does not interview that day." if index == 0 else "",
            )
        self.fields["exceptions"].initial = "\n".join(
            f"{day}: {format_ranges(r) if r else 'off'}"
            for day, r in sorted(self.instance.working_hours_exceptions.items())
        )
        self.calendar_connections = {str(c.pk): c for c in calendar_connections}
        choices = [("", "— no calendar —")]
        for conn in calendar_connections:
            choices += [
                (f"{conn.pk}|{cal['id']}", f"{cal['name']} ({conn.integration_name})")
                for cal in conn.calendars
            ]
        self.fields["calendar"].choices = choices
        if self.instance.calendar_connection_id:
            self.fields[
                "calendar"
            ].initial = f"{self.instance.calendar_connection_id}|{self.instance.calendar_id}"

    @property
    def hour_fields(self):
        return [self[f"hours_{i}"] for i in range(7)]

    def clean(self):
        cleaned = super().clean()
        hours = []
        for index in range(7):
            try:
                hours.append(parse_ranges(cleaned.get(f"hours_{index}", "")))
            except forms.ValidationError as exc:
                self.add_error(f"hours_{index}", exc)
        cleaned["working_hours"] = hours
        exceptions = {}
        for number, line in enumerate(cleaned.get("exceptions", "").splitlines(), start=1):
            if not line.strip():
                continue
            day, _, ranges = line.partition(":")
            try:
                date = dt.date.fromisoformat(day.strip())
                exceptions[date.isoformat()] = (
                    [] if ranges.strip().lower() in ("off", "") else parse_ranges(ranges)
                )
            except ValueError:
                self.add_error("exceptions", f"Line {number}: “{day.strip()}” is not a date.")
            except forms.ValidationError as exc:
                self.add_error("exceptions", f"Line {number}: {exc.messages[0]}")
        cleaned["working_hours_exceptions"] = exceptions
        return cleaned

    def save(self, commit=True):
        interviewer = super().save(commit=False)
        interviewer.working_hours = self.cleaned_data["working_hours"]
        interviewer.working_hours_exceptions = self.cleaned_data["working_hours_exceptions"]
        choice = self.cleaned_data.get("calendar") or ""
        conn_id, _, calendar_id = choice.partition("|")
        conn = self.calendar_connections.get(conn_id)
        interviewer.calendar_connection = conn
        interviewer.calendar_id = calendar_id if conn else ""
        if commit:
            interviewer.save()
        return interviewer

    def clean_calendar(self):
        value = self.cleaned_data.get("calendar") or ""
        if value and value.partition("|")[0] not in self.calendar_connections:
            raise forms.ValidationError("Choose one of the listed calendars.")
        return value


def time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def weekday_field(**kwargs):
    return forms.TypedMultipleChoiceField(
        coerce=int,
        choices=list(enumerate(WEEKDAYS)),
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class TeamSettingsForm(forms.ModelForm):
    candidate_days = weekday_field(label="Candidates’ days")
    interview_statuses = forms.MultipleChoiceField(
        choices=[(s, labels.enum_label(s)) for s in APPLICATION_STATUSES],
        widget=forms.CheckboxSelectMultiple,
        label="Stages that call for an interview",
        help_text="An application in one of these stages with no upcoming interview "
        "appears as “needs scheduling”.",
    )

    class Meta:
        model = Tenant
        fields = [
            "name",
            "default_timezone",
            "interview_statuses",
            "link_email_subject",
            "link_email_body",
            "link_expiry_days",
            "link_reminder_hours",
            "candidate_change_cutoff_hours",
            "candidate_hours_start",
            "candidate_hours_end",
            "candidate_days",
        ]
        labels = {
            "default_timezone": "Default time zone",
            "candidate_hours_start": "Candidates’ hours from",
            "candidate_hours_end": "until",
        }
        help_texts = {
            "candidate_hours_start": "On the candidate’s own clock: their booking page offers "
            "only times inside these hours, and the picker marks the others. Each plan may "
            "set its own.",
            "candidate_hours_end": "00:00 is midnight.",
        }
        widgets = {
            "link_email_body": forms.Textarea(attrs={"rows": 10}),
            "candidate_hours_start": time_input(),
            "candidate_hours_end": time_input(),
        }

    # Fields a post may leave out (another tab of the settings): they keep their values.
    LINK_FIELDS = (
        "link_email_subject",
        "link_email_body",
        "link_expiry_days",
        "link_reminder_hours",
        "candidate_change_cutoff_hours",
        "candidate_hours_start",
        "candidate_hours_end",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_timezone"].widget = forms.Select(
            choices=[(z, z) for z in sorted(timezone_names())]
        )
        # Unified's kinds of stage, each with the ATS's own names for it.
        names_of = {}
        for status, name in plans.ats_stages(self.instance) if self.instance.pk else ():
            names_of.setdefault(status, []).append(name)
        self.fields["interview_statuses"].choices = [
            (s, labels.enum_label(s) + (f" — {', '.join(names_of[s])}" if s in names_of else ""))
            for s in APPLICATION_STATUSES
        ]
        names = ", ".join("{" + n + "}" for n in LINK_EMAIL_PLACEHOLDERS)
        self.fields["link_email_body"].help_text = f"Placeholders: {names}."
        if self.is_bound and self.instance.pk:
            # A post that leaves the booking-link fields out keeps them as they are.
            data = self.data.copy()
            for name in self.LINK_FIELDS:
                if name not in data:
                    data[name] = getattr(self.instance, name)
            if "candidate_days" not in data:
                data.setlist("candidate_days", [str(d) for d in self.instance.candidate_days])
            self.data = data

    def clean(self):
        cleaned = super().clean()
        errors = check_candidate_hours(
            cleaned.get("candidate_hours_start"),
            cleaned.get("candidate_hours_end"),
            cleaned.get("candidate_days"),
        )
        for field, error in errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, error)
        return cleaned

    def _placeholders(self, field, *, required=()):
        text = self.cleaned_data.get(field, "")
        unknown = unknown_placeholders(text)
        if unknown:
            listed = ", ".join("{" + n + "}" for n in unknown)
            known = ", ".join("{" + n + "}" for n in LINK_EMAIL_PLACEHOLDERS)
            raise forms.ValidationError(
                f"Unknown placeholder{'s' if len(unknown) > 1 else ''} {listed}: use {known}."
            )
        for name in required:
            if "{" + name + "}" not in text:
                raise forms.ValidationError(
                    f"Put {{{name}}} in the text: without it the candidate cannot book."
                )
        return text

    def clean_link_email_subject(self):
        return self._placeholders("link_email_subject")

    def clean_link_email_body(self):
        return self._placeholders("link_email_body", required=("link",))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why (for your team)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the interview’s history. Not sent to the candidate.",
    )
    notify_candidate = forms.BooleanField(
        required=False, initial=True, label="Email the candidate that it is canceled"
    )
    message = forms.CharField(
        label="Message to the candidate (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Added to the cancellation email, in your words.",
    )

    def clean_message(self):
        return self.cleaned_data.get("message", "").strip()
