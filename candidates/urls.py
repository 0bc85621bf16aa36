from django.urls import path

from . import (
    autopilot_feed_views,
    autopilot_views,
    availability_views,
    public_views,
    report_views,
    views,
)

urlpatterns = [
    path("pipeline/", views.pipeline, name="pipeline"),
    path("pipeline/autopilot/", autopilot_feed_views.feed, name="autopilot_feed"),
    path("reports/", report_views.reports_page, name="reports"),
    path("reports/<str:chart>.csv", report_views.reports_csv, name="reports_csv"),
    path("reports/rows/<str:kind>/", report_views.report_rows, name="report_rows"),
    path("candidates/<uuid:pk>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<uuid:pk>/zone/", views.candidate_zone, name="candidate_zone"),
    path("applications/<uuid:pk>/schedule/", views.schedule, name="schedule"),
    path("interviews/<uuid:pk>/reschedule/", views.reschedule, name="reschedule"),
    # Booking links: the recruiter's side.
    path("links/send/", views.send_links, name="links_send"),
    path("applications/<uuid:pk>/send-link/", views.send_link_now, name="send_link_now"),
    # Availability requests: asking, and booking inside the candidate's times.
    path("availability/ask/", availability_views.ask, name="availability_ask"),
    path(
        "applications/<uuid:application_pk>/availability/<uuid:pk>/",
        availability_views.book_in_times,
        name="availability_book",
    ),
    # Autopilot: the queue's one-click send, a plan's pause switch.
    path("autopilot/<uuid:pk>/send/", autopilot_views.send, name="autopilot_send"),
    path("plans/<uuid:pk>/autopilot/pause/", autopilot_views.pause, name="autopilot_pause"),
    path("links/<uuid:pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("links/<uuid:pk>/resend/", views.link_resend, name="link_resend"),
    # The mirror's connection (the rest of the connection's pages are scheduling's).
    path("settings/connections/<uuid:pk>/sync/", views.connection_sync, name="connection_sync"),
    # The candidate's pages (no sign-in).
    path("book/<str:token>/", public_views.page, name="booking_page"),
    path("book/<str:token>/confirm/", public_views.confirm, name="booking_confirm"),
    path("book/<str:token>/reschedule/", public_views.reschedule, name="booking_reschedule"),
    path("book/<str:token>/cancel/", public_views.cancel, name="booking_cancel"),
    path("book/<str:token>/availability/", availability_views.page, name="availability_page"),
    path("book/<str:token>/interview.ics", public_views.interview_ics, name="booking_ics"),
]
