from django.contrib import admin

from .models import (
    Application,
    AutopilotEvent,
    AvailabilityRequest,
    AvailabilityWindow,
    BookingLink,
    Candidate,
    Job,
    LinkVisit,
    RemoteInterview,
    Stage,
    StageEntry,
    SyncRun,
)


class MirroredAdmin(admin.ModelAdmin):
    list_select_related = ["tenant", "connection"]
    raw_id_fields = ["connection"]
    readonly_fields = ["synced_at"]


@admin.register(Job)
class JobAdmin(MirroredAdmin):
    list_display = ["name", "tenant", "status", "remote_id", "removed_at"]
    list_filter = ["status", "tenant"]
    search_fields = ["name", "remote_id"]
    filter_horizontal = ["recruiters", "hiring_managers"]


@admin.register(Stage)
class StageAdmin(MirroredAdmin):
    list_display = ["original_status", "status", "job", "tenant", "position"]
    list_filter = ["status", "tenant"]
    search_fields = ["original_status", "remote_id"]
    raw_id_fields = ["connection", "job"]


@admin.register(Candidate)
class CandidateAdmin(MirroredAdmin):
    list_display = ["name", "email", "tenant", "remote_id", "remote_updated_at", "removed_at"]
    list_filter = ["tenant"]
    search_fields = ["name", "email", "remote_id"]


@admin.register(Application)
class ApplicationAdmin(MirroredAdmin):
    list_display = ["candidate", "job", "status", "original_status", "stage_entered_at", "tenant"]
    list_filter = ["status", "tenant"]
    search_fields = ["candidate__name", "candidate__email", "remote_id"]
    list_select_related = ["tenant", "candidate", "job"]
    raw_id_fields = ["connection", "candidate", "job"]


@admin.register(RemoteInterview)
class RemoteInterviewAdmin(MirroredAdmin):
    list_display = ["remote_id", "application", "status", "start_at", "tenant"]
    list_filter = ["status", "tenant"]
    search_fields = ["remote_id", "external_event_xref"]
    raw_id_fields = ["connection", "application", "candidate", "job"]


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["connection", "kind", "status", "records_so_far", "started_at", "finished_at"]
    list_filter = ["status", "kind", "tenant"]
    search_fields = ["error", "connection__unified_id"]
    list_select_related = ["connection", "tenant"]
    raw_id_fields = ["connection", "requested_by"]


class LinkVisitInline(admin.TabularInline):
    model = LinkVisit
    extra = 0
    readonly_fields = ["at", "method", "network", "user_agent"]
    can_delete = False


@admin.register(BookingLink)
class BookingLinkAdmin(admin.ModelAdmin):
    list_display = ["application", "state", "sent_to", "sent_at", "expires_at", "open_count"]
    list_filter = ["state", "tenant"]
    search_fields = ["sent_to", "application__candidate__name"]
    list_select_related = ["application__candidate", "application__job"]
    raw_id_fields = ["application", "plan", "created_by", "interview"]
    inlines = [LinkVisitInline]


@admin.register(LinkVisit)
class LinkVisitAdmin(admin.ModelAdmin):
    list_display = ["link", "at", "method", "network"]
    list_filter = ["method"]
    search_fields = ["link__sent_to", "network"]
    list_select_related = ["link__application__candidate"]
    raw_id_fields = ["link"]


class AvailabilityWindowInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


@admin.register(AvailabilityRequest)
class AvailabilityRequestAdmin(admin.ModelAdmin):
    list_display = ["application", "tenant", "origin", "submitted_at", "used_at", "created_at"]
    list_filter = ["origin", "tenant"]
    list_select_related = ["tenant", "application__candidate"]
    raw_id_fields = ["application", "link", "interview"]
    inlines = [AvailabilityWindowInline]


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(admin.ModelAdmin):
    list_display = ["request", "start_at", "end_at", "zone_name"]
    list_select_related = ["request__application__candidate"]
    raw_id_fields = ["request"]


class AutopilotEventInline(admin.TabularInline):
    model = AutopilotEvent
    extra = 0
    fields = ["at", "kind", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StageEntry)
class StageEntryAdmin(admin.ModelAdmin):
    """What autopilot did with each move into a stage (candidates.autopilot). Read here: its
    sending and its guardrails are autopilot's; staff may only correct the state and the
    reason (to put an entry back in the queue, say)."""

    list_display = ["application", "plan", "action", "state", "entered_at", "due_at", "sent_at"]
    list_filter = ["state", "action", "tenant"]
    search_fields = ["application__candidate__name", "application__candidate__email", "reason"]
    list_select_related = ["application__candidate", "application__job", "plan"]
    date_hierarchy = "entered_at"
    readonly_fields = [
        "tenant",
        "application",
        "plan",
        "entered_at",
        "due_at",
        "action",
        "link",
        "availability_request",
        "sent_at",
        "booked_at",
        "sent_by",
        "created_at",
        "updated_at",
    ]
    fields = ["state", "reason", *readonly_fields]
    inlines = [AutopilotEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(AutopilotEvent)
class AutopilotEventAdmin(admin.ModelAdmin):
    list_display = ["at", "tenant", "kind", "text"]
    list_filter = ["kind", "tenant"]
    search_fields = ["text"]
    list_select_related = ["tenant"]
    readonly_fields = ["tenant", "entry", "plan", "application", "kind", "text", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
