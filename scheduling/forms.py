import base64
import datetime as dt
import itertools
import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from . import interviewer_home, plans
from .lib import durations, labels, outside, reasons, zones
from .models import WEEKDAYS, Interviewer, Tenant
from .models.tenancy import (
    LINK_EMAIL_PLACEHOLDERS,
    check_candidate_hours,
    unknown_placeholders,
)
from .unified.records import APPLICATION_STATUSES

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")

# What a meeting room link that is no web address at all is told (beside the field).
ROOM_LINK_INVALID = "Paste the whole link, starting with https://."


class ZoneSelect(forms.Select):
    """The time-zone picker every page uses (`_zone_options.html`, static/js/zone-picker.js):
    zones labelled "India — Kolkata (UTC+5:30), 14:05 now", the likely ones first, each
    carrying the words its search finds it by. Without JavaScript it is a plain select."""

    def __init__(self, first=(), attrs=None):
        super().__init__(attrs={"data-zone-picker": "", **(attrs or {})})
        groups = zones.choices(timezone.now(), first=first)
        self.terms = {name: terms for _g, entries in groups for name, _l, terms in entries}
        self.choices = [(g, [(n, label) for n, label, _t in entries]) for g, entries in groups]

    def format_value(self, value):
        # A legacy name ("US/Eastern") selects the zone it stands for.
        return [zones.canonical(v) if zones.is_zone(v) else v for v in super().format_value(value)]

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["data-terms"] = self.terms.get(value, "")
        return option


def _team_zone(interviewer):
    return interviewer.tenant.default_timezone if interviewer.tenant_id else ""


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


class ReasonListField(forms.CharField):
    """A team's reasons, one a line in a textarea, kept as a list of labels ("Other" with
    one's own words is always offered besides: lib.reasons)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        labels_, error = reasons.parse_list(super().to_python(value))
        if error:
            raise forms.ValidationError(error)
        return labels_

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != list(initial or [])
        except forms.ValidationError:
            return True


class ReasonForm(forms.Form):
    """A reason chosen from the team's list (`reasons.choices`), or "Other" with words;
    the recruiter's reschedule and cancel ask it (templates/_reasons.html draws it)."""

    # A code of the list; anything else is kept as words (reasons.chosen), never refused.
    reason = forms.CharField(required=False, max_length=reasons.MAX_TEXT)
    reason_text = forms.CharField(required=False, max_length=reasons.MAX_TEXT)

    def __init__(self, *args, labels, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = labels
        self.reason_required = required
        self.choices = reasons.choices(labels)

    def clean(self):
        cleaned = super().clean()
        reason, error = reasons.chosen(
            self.labels,
            cleaned.get("reason"),
            cleaned.get("reason_text"),
            required=self.reason_required,
        )
        if error:
            self.add_error("reason", error)
        cleaned["chosen"] = reason
        return cleaned

    @property
    def reason_context(self):
        """What templates/_reasons.html needs."""
        return {
            "choices": self.choices,
            "chosen": self.data.get("reason", "") if self.is_bound else "",
            "text": self.data.get("reason_text", "") if self.is_bound else "",
            "error": " ".join(self.errors.get("reason", [])),
            "required": self.reason_required,
        }


class CantMakeForm(ReasonForm):
    """An interviewer's "I can't make this": why, from a short list or in their words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, labels=interviewer_home.CANT_MAKE_REASONS, **kwargs)


class ReminderTimesField(forms.CharField):
    """Reminder times as people write them ("24 hours, 1 hour"), kept as minutes before the
    start ([1440, 60]); empty: no reminders. The team settings and the admin use it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return durations.list_words(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        shortest, longest = Tenant.REMINDER_MINUTES
        try:
            minutes = durations.parse(text, shortest=shortest, longest=longest)
        except durations.Unreadable as exc:
            raise forms.ValidationError(str(exc)) from exc
        if len(minutes) > 4:
            raise forms.ValidationError("At most four reminders: people stop reading them.")
        return minutes

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != list(initial or [])
        except forms.ValidationError:
            return True


def _hhmm(value):
    return "24:00" if value == dt.time(0) else f"{value:%H:%M}"


class HoursMixin:
    """A week of working hours as a grid (each day: from, until, and optionally a second
    stretch after a break), and days off picked as dates, instead of typed syntax. Sets
    `cleaned_data["working_hours"]` and `["working_hours_exceptions"]`."""

    def add_hours_fields(self, interviewer):
        weekly = interviewer.working_hours or [[]] * 7
        for index, day in enumerate(WEEKDAYS):
            ranges = weekly[index] if index < len(weekly) else []
            for slot, names in enumerate((("from", "until"), ("from2", "until2"))):
                first, second = names
                pair = ranges[slot] if slot < len(ranges) else None
                for name, at in ((first, 0), (second, 1)):
                    label = f"{day} {'from' if name.startswith('from') else 'until'}" + (
                        " (after a break)" if slot else ""
                    )
                    value = pair[at] if pair else None
                    self.fields[f"{name}_{index}"] = forms.CharField(
                        required=False,
                        label=label,
                        initial="00:00" if value == "24:00" else value,
                        widget=forms.TimeInput(attrs={"type": "time"}),
                    )
        exceptions = interviewer.working_hours_exceptions or {}
        self.days_off = sorted(day for day, ranges in exceptions.items() if not ranges)
        self.other_hours = sorted((day, ranges) for day, ranges in exceptions.items() if ranges)
        self.fields["keep_exceptions"] = forms.MultipleChoiceField(
            required=False,
            choices=[(d, d) for d in self.days_off] + [(d, d) for d, _r in self.other_hours],
            initial=[*self.days_off, *(d for d, _r in self.other_hours)],
            widget=forms.CheckboxSelectMultiple,
            label="Days off and other hours",
        )
        self.fields["new_day_off"] = forms.DateField(
            required=False, label="Add a day off", widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["new_day_off_until"] = forms.DateField(
            required=False,
            label="…until (for several days)",
            widget=forms.DateInput(attrs={"type": "date"}),
        )

    @property
    def hour_rows(self):
        """For the template: (day name, from, until, from after a break, until)."""
        return [
            (
                day,
                self[f"from_{i}"],
                self[f"until_{i}"],
                self[f"from2_{i}"],
                self[f"until2_{i}"],
            )
            for i, day in enumerate(WEEKDAYS)
        ]

    @property
    def exception_rows(self):
        labels = {d: "day off" for d in self.days_off}
        labels.update({d: ", ".join(f"{a}–{b}" for a, b in r) for d, r in self.other_hours})
        kept = self["keep_exceptions"].value() or []
        return [
            (day, dt.date.fromisoformat(day), labels[day], day in kept) for day in sorted(labels)
        ]

    def _time(self, name):
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return dt.time.fromisoformat(text)
        except ValueError:
            self.add_error(name, "Give a time like 09:00.")
            return None

    def clean_hours(self):
        hours = []
        for index in range(7):
            ranges = []
            for first, second in (("from", "until"), ("from2", "until2")):
                start, end = self._time(f"{first}_{index}"), self._time(f"{second}_{index}")
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    missing = f"{first}_{index}" if start is None else f"{second}_{index}"
                    self.add_error(missing, "Give both times, or neither.")
                    continue
                if not (start < end or end == dt.time(0)):
                    self.add_error(
                        f"{second}_{index}", "The end must be after the start (00:00 is midnight)."
                    )
                    continue
                ranges.append([_hhmm(start), _hhmm(end)])
            ranges.sort()
            if len(ranges) == 2 and ranges[1][0] < ranges[0][1]:
                self.add_error(f"from2_{index}", "The two stretches overlap.")
            hours.append(ranges)
        self.cleaned_data["working_hours"] = hours
        kept = set(self.cleaned_data.get("keep_exceptions") or [])
        exceptions = {d: [] for d in self.days_off if d in kept}
        exceptions.update({d: r for d, r in self.other_hours if d in kept})
        first = self.cleaned_data.get("new_day_off")
        last = self.cleaned_data.get("new_day_off_until") or first
        if last and not first:
            self.add_error("new_day_off", "Choose the first day off.")
        elif first and not (outside.plausible(first) and outside.plausible(last)):
            self.add_error("new_day_off", "Choose a day off between the years 1900 and 2200.")
        elif first and last < first:
            self.add_error("new_day_off_until", "The last day off is before the first.")
        elif first and (last - first).days > 366:
            self.add_error("new_day_off_until", "At most a year of days off at once.")
        elif first:
            day = first
            while day <= last:
                exceptions[day.isoformat()] = []
                day += dt.timedelta(days=1)
        self.cleaned_data["working_hours_exceptions"] = exceptions

    def save_hours(self, interviewer):
        interviewer.working_hours = self.cleaned_data["working_hours"]
        interviewer.working_hours_exceptions = self.cleaned_data["working_hours_exceptions"]


class InterviewerForm(HoursMixin, forms.ModelForm):
    """Admins edit an interviewer's zone, hours, limits and calendar, and may lock each of
    the zone, the hours, the days off and the limits against the interviewer's own edits;
    the name, email and ATS id come from the ATS."""

    calendar = forms.ChoiceField(
        required=False, label="Calendar", help_text="Where Convene reads busy times."
    )

    class Meta:
        model = Interviewer
        fields = [
            "timezone",
            "max_interviews_per_day",
            "max_interviews_per_week",
            "meeting_room_url",
            "active",
            *Interviewer.LOCKS,
        ]
        labels = {
            "timezone": "Time zone",
            "max_interviews_per_day": "Most interviews a day",
            "max_interviews_per_week": "Most interviews a week",
            "lock_timezone": "Time zone",
            "lock_hours": "Working hours",
            "lock_days_off": "Days off",
            "lock_caps": "Most interviews a day and a week",
        }
        error_messages = {"meeting_room_url": {"invalid": ROOM_LINK_INVALID}}
        help_texts = {
            "max_interviews_per_day": "Empty: no limit.",
            "max_interviews_per_week": "Empty: no limit.",
        }

    def __init__(self, *args, calendar_connections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].widget = ZoneSelect(
            first=[self.instance.timezone, _team_zone(self.instance)]
        )
        self.add_hours_fields(self.instance)
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

    def clean(self):
        cleaned = super().clean()
        self.clean_hours()
        return cleaned

    def save(self, commit=True):
        interviewer = super().save(commit=False)
        self.save_hours(interviewer)
        choice = self.cleaned_data.get("calendar") or ""
        conn_id, _, calendar_id = choice.partition("|")
        conn = self.calendar_connections.get(conn_id)
        interviewer.calendar_connection = conn
        interviewer.calendar_id = calendar_id if conn else ""
        if commit:
            interviewer.save()
        return interviewer

    def clean_meeting_room_url(self):
        return clean_room(self.cleaned_data.get("meeting_room_url"))

    def clean_calendar(self):
        value = self.cleaned_data.get("calendar") or ""
        if value and value.partition("|")[0] not in self.calendar_connections:
            raise forms.ValidationError("Choose one of the listed calendars.")
        return value


def clean_room(value):
    """A meeting room link is an https web address (it goes to candidates)."""
    value = (value or "").strip()
    if value and not (value.startswith("https://") and outside.is_web_url(value)):
        raise forms.ValidationError("A meeting room link starts with https://.")
    return value


class MeetingRoomForm(forms.ModelForm):
    """An interviewer's own video meeting room, from their profile (even when an admin set
    their hours)."""

    class Meta:
        model = Interviewer
        fields = ["meeting_room_url"]
        labels = {"meeting_room_url": "Your meeting room link"}
        error_messages = {"meeting_room_url": {"invalid": ROOM_LINK_INVALID}}
        help_texts = {
            "meeting_room_url": "Your personal Zoom, Teams or Meet room. Plans that meet "
            "“in each interviewer’s own meeting room” send it to candidates and put it on "
            "the calendar event. Empty: you have none."
        }

    def clean_meeting_room_url(self):
        return clean_room(self.cleaned_data.get("meeting_room_url"))


CAP_LIMITS = {"max_interviews_per_day": 20, "max_interviews_per_week": 100}


class MyHoursForm(HoursMixin, forms.ModelForm):
    """An interviewer's own zone, weekly hours, days off and limits (from My profile). What
    an admin locked (`Interviewer.LOCKS`) is shown, not editable; a POST that carries a
    locked field anyway is `tampered` (the view refuses it) and saving keeps what was."""

    class Meta:
        model = Interviewer
        fields = ["timezone", "max_interviews_per_day", "max_interviews_per_week"]
        labels = {
            "timezone": "Your time zone",
            "max_interviews_per_day": "Most interviews a day",
            "max_interviews_per_week": "Most interviews a week",
        }
        help_texts = {
            "max_interviews_per_day": "Empty: no limit. Convene offers no time past it.",
            "max_interviews_per_week": "Empty: no limit. Counted Monday to Sunday, "
            "interviews booked in the ATS too.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].widget = ZoneSelect(
            first=[self.instance.timezone, _team_zone(self.instance)]
        )
        for name, most in CAP_LIMITS.items():
            self.fields[name].min_value = 1
            self.fields[name].max_value = most
            self.fields[name].widget.attrs.update(min=1, max=most)
            self.fields[name].validators = [
                MinValueValidator(1, "At least 1; leave it empty for no limit."),
                MaxValueValidator(most, f"At most {most}."),
            ]
        self.add_hours_fields(self.instance)
        self.locked = {name for name in Interviewer.LOCKS if getattr(self.instance, name)}
        names = self.locked_names()
        self.tampered = sorted(name for name in names if name in (self.data or {}))
        for name in names:
            self.fields[name].disabled = True

    def locked_names(self):
        """The form's fields an admin locked."""
        parts = {
            "lock_timezone": ["timezone"],
            "lock_caps": list(CAP_LIMITS),
            "lock_hours": [
                f"{name}_{i}" for i in range(7) for name in ("from", "until", "from2", "until2")
            ],
            "lock_days_off": ["keep_exceptions", "new_day_off", "new_day_off_until"],
        }
        return [name for lock in sorted(self.locked) for name in parts[lock]]

    def clean(self):
        cleaned = super().clean()
        self.clean_hours()
        return cleaned

    def save(self, commit=True):
        before = {
            "timezone": self.instance.timezone,
            "hours": self.instance.working_hours,
            "days_off": self.instance.working_hours_exceptions,
        }
        interviewer = super().save(commit=False)
        self.save_hours(interviewer)
        # What is locked stays exactly as it was (a disabled field takes its initial value,
        # which a midnight or a legacy zone name could still round).
        if "lock_hours" in self.locked:
            interviewer.working_hours = before["hours"]
        if "lock_days_off" in self.locked:
            interviewer.working_hours_exceptions = before["days_off"]
        if "lock_timezone" in self.locked:
            interviewer.timezone = before["timezone"]
        if commit:
            interviewer.save()
        return interviewer


def time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def weekday_field(**kwargs):
    return forms.TypedMultipleChoiceField(
        coerce=int,
        choices=list(enumerate(WEEKDAYS)),
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


LOGO_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
LOGO_MAX_BYTES = 200_000


def logo_data_url(upload):
    """An uploaded logo as a data: URL, checked by its first bytes (PNG, JPEG or GIF; never
    SVG, which may carry scripts) and its size."""
    content = upload.read(LOGO_MAX_BYTES + 1)
    if len(content) > LOGO_MAX_BYTES:
        raise forms.ValidationError("The logo is too large: at most 200 KB.")
    kind = next((t for magic, t in LOGO_TYPES.items() if content.startswith(magic)), None)
    if kind is None:
        raise forms.ValidationError("Upload a PNG, JPEG or GIF image.")
    return f"data:{kind};base64,{base64.b64encode(content).decode()}"


class TeamSettingsForm(forms.ModelForm):
    candidate_days = weekday_field(label="Candidates’ days")
    candidate_reminder_minutes = ReminderTimesField(
        label="Remind candidates",
        help_text="How long before the interview, e.g. “24 hours, 1 hour” (empty: no "
        "reminders). Each plan can turn them off. A reminder whose time has passed when "
        "the interview is booked or moved is not sent.",
    )
    interviewer_reminder_minutes = ReminderTimesField(
        label="Remind interviewers",
        help_text="How long before each session, e.g. “1 hour” (empty: no reminders).",
    )
    logo_file = forms.FileField(
        required=False,
        label="Logo",
        help_text="Shown beside the team’s name on the candidate’s pages. PNG, JPEG or GIF, "
        "at most 200 KB.",
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
    reschedule_reasons = ReasonListField(
        label="Candidates’ reasons to reschedule",
        help_text="One per line. The candidate chooses from these when they move their "
        "interview (or “Other” with their own words).",
    )
    cancel_reasons = ReasonListField(
        label="Candidates’ reasons to cancel",
        help_text="One per line, as above, for cancelling.",
    )
    team_reschedule_reasons = ReasonListField(
        label="Your team’s reasons to reschedule",
        help_text="One per line. Recruiters choose from these when they move an interview.",
    )
    team_cancel_reasons = ReasonListField(
        label="Your team’s reasons to cancel",
        help_text="One per line, as above, for cancelling. Every reason is kept for the reports.",
    )
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
            "candidate_reschedule_limit",
            "cancel_reason_required",
            "reschedule_reasons",
            "cancel_reasons",
            "team_reschedule_reasons",
            "team_cancel_reasons",
            "availability_booking",
            "candidate_hours_start",
            "candidate_hours_end",
            "candidate_days",
            "candidate_reminder_minutes",
            "interviewer_reminder_minutes",
            "candidate_invitation",
            "autopilot_daily_cap",
            "autopilot_entries_per_application",
        ]
        labels = {
            "default_timezone": "Default time zone",
            "autopilot_daily_cap": "Sends a day, at most",
            "autopilot_entries_per_application": "Times per application and plan, at most",
            "candidate_invitation": "Who sends the candidate’s calendar invitation",
            "availability_booking": "When a candidate sends the times they can do",
            "candidate_hours_start": "Candidates’ hours from",
            "candidate_hours_end": "until",
        }
        help_texts = {
            "candidate_hours_start": "On the candidate’s own clock: their booking page offers "
            "only times inside these hours, and the picker marks the others. Each plan may "
            "set its own.",
            "candidate_hours_end": "00:00 is midnight.",
            "autopilot_daily_cap": "For the whole team, from midnight on the team’s clock. "
            "What comes after the cap waits for the next day, and the pipeline says so. "
            "0: autopilot sends nothing by itself. A recruiter’s own “Send” is not counted.",
            "autopilot_entries_per_application": "An application moved into a plan’s stage "
            "more often than this (back and forth in the ATS) is left to a recruiter.",
            "candidate_invitation": "The candidate gets one invitation whichever you choose. "
            "With Convene’s email or a candidate-only event, the interviewers’ event stays "
            "internal (the plan’s notes, the candidate’s profile, where feedback goes) and does "
            "not list the candidate, whose invitation holds only what they may read. As an "
            "attendee, the candidate sees the interviewers’ event, so it carries nothing "
            "internal. On a calendar set not to send invitations (Connections), Convene emails "
            "the candidate instead. Interviews already booked keep the way they were booked.",
        }
        widgets = {
            "candidate_invitation": forms.RadioSelect,
            "availability_booking": forms.RadioSelect,
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
        "candidate_reschedule_limit",
        "reschedule_reasons",
        "cancel_reasons",
        "team_reschedule_reasons",
        "team_cancel_reasons",
        "availability_booking",
        "candidate_hours_start",
        "candidate_hours_end",
        "candidate_reminder_minutes",
        "interviewer_reminder_minutes",
        "candidate_invitation",
        "autopilot_daily_cap",
        "autopilot_entries_per_application",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_timezone"].widget = ZoneSelect(first=[self.instance.default_timezone])
        self.fields["autopilot_daily_cap"].validators.append(MaxValueValidator(100_000))
        self.fields["autopilot_entries_per_application"].validators.append(MaxValueValidator(50))
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
        cutoff = self.instance.candidate_change_cutoff_hours
        self.fields["candidate_reminder_minutes"].help_text += (
            f" Candidates may reschedule or cancel online until {cutoff} hour"
            f"{'s' if cutoff != 1 else ''} before (above, under Changes by candidates); a "
            "reminder sent after that says so and how to reach you."
        )
        if self.is_bound and self.instance.pk:
            # A post that leaves the booking-link fields out keeps them as they are.
            data = self.data.copy()
            for name in self.LINK_FIELDS:
                if name not in data:
                    value = getattr(self.instance, name)
                    if name.endswith("_reasons"):
                        value = "\n".join(value)
                    elif isinstance(value, list):
                        value = durations.list_words(value)
                    data[name] = value
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

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        return logo_data_url(upload) if upload else None

    def save(self, commit=True):
        tenant = super().save(commit=False)
        if self.cleaned_data.get("logo_file"):
            tenant.logo = self.cleaned_data["logo_file"]
        elif self.cleaned_data.get("remove_logo"):
            tenant.logo = ""
        if commit:
            tenant.save()
        return tenant

    def clean_link_email_subject(self):
        return self._placeholders("link_email_subject")

    def clean_link_email_body(self):
        return self._placeholders("link_email_body", required=("link",))


class CancelForm(ReasonForm):
    """Why (the team's list, for the team: kept in the history and counted in Reports, not
    sent), and apart from it a message for the candidate."""

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


class DebriefTimeForm(forms.Form):
    """A time for the debrief: one Convene offered (`start`, a button), or one the recruiter
    types (`at`, on their own clock)."""

    start = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    at = forms.DateTimeField(
        required=False,
        label="Another time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="On your clock. Convene checks that the whole panel is free then.",
    )
    anyway = forms.BooleanField(
        required=False, label="Book it even though someone on the panel is busy"
    )

    def clean(self):
        cleaned = super().clean()
        when = cleaned.get("start") or cleaned.get("at")
        if when is None and not self.errors:
            self.add_error("at", "Choose a time, or give one.")
        cleaned["when"] = when
        return cleaned
