from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html_join

from . import reminders
from .forms import ReasonListField, ReminderTimesField
from .lib import durations
from .models import (
    AtsSeat,
    AuditEntry,
    Connection,
    Debrief,
    FeedbackRequest,
    Flag,
    Interview,
    InterviewChange,
    Interviewer,
    InterviewPlan,
    InterviewSession,
    Membership,
    NoShow,
    Operation,
    PeriodicTurn,
    PlanPool,
    PlanSession,
    Reminder,
    SentEmail,
    SessionAttendee,
    Tenant,
    Trainee,
    TrainingCredit,
    TrainingEvent,
    TrainingProgram,
    User,
    WebhookDelivery,
    WebhookRejection,
)
from .outbox import retry
from .webhooks import process


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "tenant"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]
    inlines = [MembershipInline]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Convene", {"fields": ["timezone"]})]


class TenantAdminForm(forms.ModelForm):
    # The reminder times as the team settings page writes them ("24 hours, 1 hour").
    candidate_reminder_minutes = ReminderTimesField(
        label="Remind candidates", help_text="Before the interview, e.g. “24 hours, 1 hour”."
    )
    interviewer_reminder_minutes = ReminderTimesField(
        label="Remind interviewers", help_text="Before each session, e.g. “1 hour”."
    )
    reschedule_reasons = ReasonListField(
        label="Reasons to reschedule", help_text="One per line (“Other” is always offered)."
    )
    cancel_reasons = ReasonListField(
        label="Reasons to cancel", help_text="One per line (“Other” is always offered)."
    )
    team_reschedule_reasons = ReasonListField(
        label="The team's reasons to reschedule",
        help_text="One per line (“Other” is always offered).",
    )
    team_cancel_reasons = ReasonListField(
        label="The team's reasons to cancel",
        help_text="One per line (“Other” is always offered).",
    )

    class Meta:
        model = Tenant
        # Every field, as the admin lists them all; four of them written in words.
        fields = "__all__"  # noqa: DJ007


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    form = TenantAdminForm
    list_display = ["name", "slug", "default_timezone", "member_count", "created_at"]
    list_filter = ["candidate_invitation"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_members=Count("memberships"))

    @admin.display(description="Members", ordering="n_members")
    def member_count(self, obj):
        return obj.n_members


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__email", "user__username", "tenant__name"]
    autocomplete_fields = ["user", "tenant"]
    list_select_related = ["user", "tenant"]


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "tenant",
        "category",
        "status",
        "unified_id",
        "interviewer",
        "last_success_at",
        "last_error_at",
    ]
    list_filter = ["category", "status", "integration_type", "tenant"]
    search_fields = ["unified_id", "integration_name", "tenant__name", "last_error"]
    list_select_related = ["tenant", "interviewer"]
    raw_id_fields = ["interviewer", "connected_by"]
    readonly_fields = ["connected_at"]


@admin.register(Interviewer)
class InterviewerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "tenant",
        "timezone",
        "max_interviews_per_day",
        "max_interviews_per_week",
        "ats_user_id",
        "calendar_id",
        "active",
    ]
    list_filter = ["active", "tenant", "timezone", *Interviewer.LOCKS]
    search_fields = ["name", "email", "ats_user_id"]
    list_select_related = ["tenant"]
    raw_id_fields = ["user", "calendar_connection"]
    fieldsets = [
        (None, {"fields": ["tenant", "name", "email", "title", "ats_user_id", "user", "active"]}),
        (
            "Availability",
            {
                "fields": [
                    "timezone",
                    "working_hours",
                    "working_hours_exceptions",
                    "max_interviews_per_day",
                    "max_interviews_per_week",
                ]
            },
        ),
        (
            "Only admins may change (the interviewer sees “Set by your admin”)",
            {"fields": list(Interviewer.LOCKS)},
        ),
        (
            "Calendar and room",
            {"fields": ["calendar_connection", "calendar_id", "meeting_room_url"]},
        ),
    ]


class PlanSessionInline(admin.StackedInline):
    model = PlanSession
    extra = 0
    filter_horizontal = ["required"]


@admin.register(InterviewPlan)
class InterviewPlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "tenant",
        "job",
        "stage_status",
        "location_kind",
        "autopilot",
        "autopilot_paused",
        "updated_at",
    ]
    list_filter = ["tenant", "location_kind", "stage_status", "autopilot", "autopilot_paused"]
    search_fields = ["name", "job__name"]
    list_select_related = ["tenant", "job"]
    raw_id_fields = ["job"]
    filter_horizontal = ["debrief_people"]
    inlines = [PlanSessionInline]


@admin.register(PlanSession)
class PlanSessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "position", "duration_minutes"]
    search_fields = ["title_template", "plan__name"]
    list_select_related = ["plan"]
    filter_horizontal = ["required"]
    raw_id_fields = ["plan"]


class PlanPoolAdminForm(forms.ModelForm):
    class Meta:
        model = PlanPool
        fields = ["session", "name", "k", "members", "program", "trainee_required"]

    def clean(self):
        cleaned = super().clean()
        session, program = cleaned.get("session"), cleaned.get("program")
        tenant = session.plan.tenant_id if session else None
        if program and tenant and program.tenant_id != tenant:
            self.add_error("program", "This program belongs to another team than the plan.")
        strangers = [p for p in cleaned.get("members") or () if tenant and p.tenant_id != tenant]
        if strangers:
            self.add_error("members", f"{strangers[0]} belongs to another team than the plan.")
        if cleaned.get("trainee_required") and not program:
            self.add_error("trainee_required", "Choose the program whose trainees must come.")
        return cleaned


@admin.register(PlanPool)
class PlanPoolAdmin(admin.ModelAdmin):
    form = PlanPoolAdminForm
    list_display = ["__str__", "k", "program", "trainee_required"]
    list_filter = ["session__plan__tenant"]
    search_fields = ["name", "session__plan__name", "program__name"]
    filter_horizontal = ["members"]
    raw_id_fields = ["session", "program"]


class TraineeInline(admin.TabularInline):
    model = Trainee
    extra = 0
    fields = ["interviewer", "stage", "awaiting_approval", "active", "enrolled_at", "qualified_at"]
    raw_id_fields = ["interviewer"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only the program's own team's interviewers may be enrolled.
        field = formset.form.base_fields["interviewer"]
        field.queryset = Interviewer.objects.filter(tenant=obj.tenant) if obj else field.queryset
        return formset


@admin.register(TrainingProgram)
class TrainingProgramAdmin(admin.ModelAdmin):
    """A team's training programs; their trainees inline (the tenant follows the program)."""

    list_display = [
        "name",
        "tenant",
        "shadow_count",
        "reverse_shadow_count",
        "approval_required",
        "trainer_approval_required",
        "send_training_feedback_to_ats",
    ]
    list_filter = ["tenant"]
    search_fields = ["name", "tenant__name"]
    list_select_related = ["tenant"]
    inlines = [TraineeInline]

    def save_formset(self, request, form, formset, change):
        for trainee in formset.save(commit=False):
            trainee.tenant_id = form.instance.tenant_id
            trainee.save()
        for gone in formset.deleted_objects:
            gone.delete()


class TraineeAdminForm(forms.ModelForm):
    class Meta:
        model = Trainee
        fields = [
            "program",
            "interviewer",
            "stage",
            "awaiting_approval",
            "active",
            "enrolled_at",
            "qualified_at",
        ]

    def clean(self):
        cleaned = super().clean()
        program, person = cleaned.get("program"), cleaned.get("interviewer")
        if program and person and program.tenant_id != person.tenant_id:
            self.add_error("interviewer", f"{person} belongs to another team than the program.")
        return cleaned

    def save(self, commit=True):
        self.instance.tenant_id = self.instance.program.tenant_id
        return super().save(commit)


@admin.register(Trainee)
class TraineeAdmin(admin.ModelAdmin):
    form = TraineeAdminForm
    list_display = ["interviewer", "program", "stage", "awaiting_approval", "active", "tenant"]
    list_filter = ["tenant", "stage", "awaiting_approval", "active"]
    search_fields = ["interviewer__name", "interviewer__email", "program__name"]
    list_select_related = ["interviewer", "program", "tenant"]
    raw_id_fields = ["program", "interviewer"]


@admin.register(TrainingCredit)
class TrainingCreditAdmin(admin.ModelAdmin):
    list_display = ["trainee", "stage", "counted_at", "attendee"]
    list_filter = ["trainee__tenant", "stage"]
    search_fields = ["trainee__interviewer__name", "trainee__program__name"]
    list_select_related = ["trainee__interviewer", "trainee__program", "attendee__session"]
    raw_id_fields = ["trainee", "attendee"]


@admin.register(TrainingEvent)
class TrainingEventAdmin(admin.ModelAdmin):
    list_display = ["at", "trainee", "kind", "text", "actor"]
    list_filter = ["trainee__tenant", "kind"]
    search_fields = ["text", "trainee__interviewer__name", "trainee__program__name"]
    list_select_related = ["trainee__interviewer", "trainee__program", "actor"]
    raw_id_fields = ["trainee", "actor"]


class InterviewSessionInline(admin.TabularInline):
    model = InterviewSession
    extra = 0
    fields = [
        "title",
        "start_at",
        "end_at",
        "organizer",
        "event_id",
        "ats_record",
        "ats_interview_id",
    ]
    raw_id_fields = ["organizer"]
    show_change_link = True


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    fields = ["kind", "session", "interviewer", "text", "detail", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["session", "interviewer"]


class NoShowInline(admin.TabularInline):
    """Read-only: a mark is made or cleared on the interview page (attendance.mark / clear),
    which also withdraws or restores the feedback and tells the ATS."""

    model = NoShow
    extra = 0
    fields = ["session", "interviewer", "marked_at", "marked_by_label"]
    readonly_fields = fields
    verbose_name = "no-show"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NoShow)
class NoShowAdmin(admin.ModelAdmin):
    """Read-only, as the inline: marks are made and cleared on the interview page."""

    list_display = ["__str__", "interview", "marked_at", "marked_by_label"]
    list_filter = ["tenant"]
    search_fields = ["interview__application__candidate__name", "interviewer__name"]
    list_select_related = ["session", "interviewer", "interview__application__candidate"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "interview", "created_at"]
    list_filter = ["kind", "interview__tenant"]
    search_fields = ["text", "interview__application__candidate__name"]
    list_select_related = ["interview__application__candidate"]
    raw_id_fields = ["interview", "session", "interviewer"]


class InterviewChangeInline(admin.TabularInline):
    """Its moves and cancellations with who asked and why (the candidate's count toward
    the reschedule limit): a record, so read-only."""

    model = InterviewChange
    extra = 0
    fields = ["created_at", "kind", "by", "reason_code", "reason_label", "reason_text"]
    readonly_fields = fields
    can_delete = False
    verbose_name = "change"

    def has_add_permission(self, request, obj=None):
        return False


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ["to", "before", "for_start_at", "due_at", "state"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="To")
    def to(self, obj):
        return _reminder_to(obj)

    @admin.display(description="Before")
    def before(self, obj):
        return durations.words(obj.minutes_before)

    @admin.display(description="State")
    def state(self, obj):
        return _reminder_state(obj)


def _reminder_to(obj):
    if obj.for_candidate:
        return f"{obj.interview.application.candidate} (candidate)"
    return f"{obj.interviewer} ({obj.session.title if obj.session else 'session'})"


def _reminder_state(obj):
    op = obj.operation
    if op is None:
        return "queued"
    why = (op.result or {}).get("why")
    return op.get_status_display() + (f": {why}" if why else "")


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "tenant",
        "status",
        "attendance",
        "source",
        "start_at",
        "needs_attention",
    ]
    list_filter = ["status", "source", "tenant", "flags__kind"]
    search_fields = ["application__candidate__name", "application__candidate__email", "id"]
    date_hierarchy = "start_at"
    list_select_related = ["tenant", "application__candidate"]
    raw_id_fields = ["application", "plan", "created_by"]
    # candidate_invitation: kept from the team's setting at booking; changing it afterwards
    # would leave the candidate's invitation to nobody (or send them a second one).
    readonly_fields = ["reminders_overview", "candidate_invitation"]
    inlines = [
        InterviewSessionInline,
        FlagInline,
        InterviewChangeInline,
        NoShowInline,
        ReminderInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("flags", "no_shows")

    @admin.display(description="Attendance")
    def attendance(self, obj):
        return obj.no_show_text or "—"

    @admin.display(description="Reminders")
    def reminders_overview(self, obj):
        """Which went out and which are to come, as the interview page says them."""
        if obj.pk is None:
            return "—"
        overview = reminders.for_interview(obj)
        lines = [
            (
                f"To {line.to}{f' ({line.session})' if line.session else ''}, "
                f"{line.before} before: {line.state.replace('_', ' ')}"
                + (f" {timezone.localtime(line.at):%a %d %b %H:%M %Z}" if line.at else "")
                + (f" — {line.why}" if line.why else ""),
            )
            for line in overview.candidate + overview.interviewers
        ]
        nones = (overview.candidate_none, overview.interviewers_none)
        lines += [(text,) for text in nones if text]
        return format_html_join("", "<div>{}</div>", lines) if lines else "None"

    @admin.display(description="Needs attention")
    def needs_attention(self, obj):
        return "; ".join(f.text for f in obj.flags.all())


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Every reminder queued; whether it went out is its email's (the operation's) state."""

    list_display = ["__str__", "tenant", "to", "before", "due_at", "state"]
    list_filter = ["tenant", "minutes_before"]
    search_fields = ["interview__application__candidate__name", "interviewer__name"]
    list_select_related = [
        "tenant",
        "interview__application__candidate",
        "interviewer",
        "session",
        "operation",
    ]
    raw_id_fields = ["interview", "session", "interviewer", "operation"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request):
        return False

    @admin.display(description="To")
    def to(self, obj):
        return _reminder_to(obj)

    @admin.display(description="Before", ordering="minutes_before")
    def before(self, obj):
        return durations.words(obj.minutes_before)

    @admin.display(description="State")
    def state(self, obj):
        return _reminder_state(obj)


@admin.register(Debrief)
class DebriefAdmin(admin.ModelAdmin):
    """Each interview's debrief; its time is the recruiter's to confirm on the interview page
    (scheduling.debriefs), so it is read here, not edited."""

    list_display = ["__str__", "tenant", "status", "start_at", "event_id"]
    list_filter = ["tenant", "status"]
    search_fields = ["interview__application__candidate__name"]
    list_select_related = ["tenant", "interview__application__candidate"]
    raw_id_fields = ["interview", "organizer", "calendar_connection", "booked_by"]
    filter_horizontal = ["panel"]
    readonly_fields = ["event_id", "alternatives", "why", "window_end"]

    def has_add_permission(self, request):
        return False


@admin.register(InterviewSession)
class InterviewSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "interview", "start_at", "event_id", "ats_record", "ats_interview_id"]
    list_filter = ["ats_record"]
    search_fields = ["title", "event_id", "ats_interview_id"]
    list_select_related = ["interview__application__candidate"]
    raw_id_fields = ["interview", "organizer", "calendar_connection"]


@admin.register(SessionAttendee)
class SessionAttendeeAdmin(admin.ModelAdmin):
    list_display = ["interviewer", "session", "role", "start_at", "active", "response"]
    list_filter = ["role", "active", "response"]
    search_fields = ["interviewer__name", "interviewer__email"]
    list_select_related = ["interviewer", "session"]
    raw_id_fields = ["session", "interviewer", "pool", "training"]


@admin.register(AtsSeat)
class AtsSeatAdmin(admin.ModelAdmin):
    """Who sits in the ATS's interviews, as the mirror found them (counted as load)."""

    list_display = ["interviewer", "start_at", "via", "ats_interview_id", "tenant"]
    list_filter = ["via", "tenant"]
    search_fields = ["interviewer__name", "ats_interview_id", "event_id"]
    raw_id_fields = ["remote_interview", "interviewer"]

    def has_add_permission(self, request):
        return False  # written by the ATS sync


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "tenant", "attempts", "next_attempt_at", "last_error_at"]
    list_filter = ["status", "kind", "tenant"]
    search_fields = ["last_error", "id"]
    list_select_related = ["tenant"]
    raw_id_fields = ["interview", "session", "depends_on"]
    actions = ["retry_now"]

    @admin.action(description="Retry the selected operations now")
    def retry_now(self, request, queryset):
        for op in queryset:
            retry(op, request.user)


@admin.register(SentEmail)
class SentEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "recipients", "tenant", "sent_at"]
    list_filter = ["kind", "tenant"]
    search_fields = ["subject", "to", "body"]
    date_hierarchy = "sent_at"
    list_select_related = ["tenant"]

    @admin.display(description="To")
    def recipients(self, obj):
        return ", ".join(obj.to)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tenant", "who", "action", "message"]
    list_filter = ["action", "tenant"]
    search_fields = ["message", "object_id", "actor__email", "actor_label"]
    date_hierarchy = "created_at"
    list_select_related = ["tenant", "actor"]
    raw_id_fields = ["actor"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["received_at", "object_type", "event", "status", "record_count", "tenant"]
    list_filter = ["status", "object_type", "event", "tenant"]
    search_fields = ["dedupe_key", "outcome", "error"]
    date_hierarchy = "received_at"
    list_select_related = ["tenant"]
    raw_id_fields = ["connection"]
    actions = ["process_again"]

    @admin.action(description="Process the selected deliveries again")
    def process_again(self, request, queryset):
        queryset.update(status=WebhookDelivery.Status.FAILED)
        for delivery in queryset:
            process(delivery.pk)


@admin.register(PeriodicTurn)
class PeriodicTurnAdmin(admin.ModelAdmin):
    """When each periodic job runs next, per connection or tenant (a key of "" is one turn
    for everyone), and whether its task is out: queued after it last finished."""

    list_display = ["job", "key", "next_at", "queued_at", "finished_at"]
    list_filter = ["job"]
    search_fields = ["key"]
    readonly_fields = ["job", "key", "queued_at", "finished_at"]


@admin.register(WebhookRejection)
class WebhookRejectionAdmin(admin.ModelAdmin):
    list_display = ["day", "reason", "count"]
    list_filter = ["reason"]
    search_fields = ["reason"]


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(admin.ModelAdmin):
    list_display = ["interviewer", "session", "status", "due_at", "reminders_sent", "ats_record"]
    list_filter = ["status", "ats_record", "tenant"]
    search_fields = ["interviewer__name", "interviewer__email", "ats_record_id"]
    list_select_related = ["interviewer", "session"]
    raw_id_fields = ["interview", "session", "interviewer", "submitted_by"]


@admin.register(InterviewChange)
class InterviewChangeAdmin(admin.ModelAdmin):
    """Every move and cancellation with who asked and the reason given (the reports count
    them; the candidate's moves count toward the reschedule limit)."""

    list_display = ["created_at", "tenant", "interview", "kind", "by", "reason_label"]
    list_filter = ["tenant", "kind", "by", "reason_code"]
    search_fields = ["interview__application__candidate__name", "reason_label", "reason_text"]
    list_select_related = ["tenant", "interview__application__candidate"]
    raw_id_fields = ["interview"]
    readonly_fields = ["created_at"]
