from django.contrib.auth import views as auth_views
from django.urls import path

from . import feedback_views, training_progress_views, training_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("switch-team/", views.switch_tenant, name="switch_tenant"),
    path("me/", views.profile, name="profile"),
    path("me/interviews/", views.my_interviews, name="my_interviews"),
    path(
        "me/interviews/<int:attendee_pk>/cant-make/",
        views.my_cant_make,
        name="my_cant_make",
    ),
    path(
        "me/interviews/<int:attendee_pk>/withdraw/",
        views.my_cant_make_withdraw,
        name="my_cant_make_withdraw",
    ),
    path("settings/", views.team_settings, name="team_settings"),
    path("settings/connections/", views.connection_list, name="connection_list"),
    path(
        "settings/connections/new/<str:category>/",
        views.connection_new,
        name="connection_new",
    ),
    path(
        "settings/connections/start/<str:category>/<str:integration_type>/",
        views.connection_start,
        name="connection_start",
    ),
    path("settings/connections/done/", views.connection_callback, name="connection_callback"),
    path("settings/connections/<uuid:pk>/", views.connection_detail, name="connection_detail"),
    path(
        "settings/connections/<uuid:pk>/calendars/",
        views.connection_refresh_calendars,
        name="connection_refresh_calendars",
    ),
    path(
        "settings/connections/<uuid:pk>/video/",
        views.connection_check_meetings,
        name="connection_check_meetings",
    ),
    path(
        "settings/connections/<uuid:pk>/disconnect/",
        views.connection_disconnect,
        name="connection_disconnect",
    ),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_edit, name="plan_new"),
    path("plans/starter/", views.plan_starter, name="plan_starter"),
    path("plans/<uuid:pk>/", views.plan_edit, name="plan_edit"),
    path("plans/<uuid:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("interviews/<uuid:pk>/", views.interview_detail, name="interview_detail"),
    path("interviews/<uuid:pk>/cancel/", views.interview_cancel, name="interview_cancel"),
    path("interviews/<uuid:pk>/keep/", views.interview_keep, name="interview_keep"),
    path("interviews/<uuid:pk>/fit/", views.interview_fit, name="interview_fit"),
    path("interviews/<uuid:pk>/debrief/", views.interview_debrief, name="interview_debrief"),
    path(
        "interviews/<uuid:pk>/sessions/<uuid:session_pk>/no-show/",
        views.interview_no_show,
        name="interview_no_show",
    ),
    path(
        "interviews/<uuid:pk>/no-shows/<int:no_show_pk>/clear/",
        views.interview_no_show_clear,
        name="interview_no_show_clear",
    ),
    path(
        "interviews/<uuid:pk>/swap/<int:attendee_pk>/",
        views.interview_swap,
        name="interview_swap",
    ),
    path("sync-problems/", views.problems, name="problems"),
    path("outbox/", views.outbox, name="outbox"),
    path("sync-problems/<uuid:pk>/retry/", views.operation_retry, name="operation_retry"),
    path(
        "settings/connections/<uuid:pk>/webhooks/",
        views.connection_register_webhooks,
        name="connection_register_webhooks",
    ),
    path(
        "settings/connections/<uuid:pk>/invitations/",
        views.connection_invitations,
        name="connection_invitations",
    ),
    path("interviewers/", views.interviewer_list, name="interviewer_list"),
    path("interviewers/<uuid:pk>/", views.interviewer_detail, name="interviewer_detail"),
    # Feedback: the emailed link (no sign-in), members' own page, the recruiter's nudge.
    path("feedback/<str:token>/", feedback_views.link_page, name="feedback_link"),
    path("feedback/<str:token>/draft/", feedback_views.link_draft, name="feedback_link_draft"),
    path(
        "feedback/<str:token>/no-show/",
        feedback_views.link_no_show,
        name="feedback_link_no_show",
    ),
    path("settings/feedback/", feedback_views.feedback_settings, name="feedback_settings"),
    # Training programs: their set-up (training_views); progress pages are training's.
    path("settings/training/", training_views.program_list, name="training_programs"),
    path("settings/training/new/", training_views.program_new, name="training_program_new"),
    path("settings/training/<uuid:pk>/", training_views.program_detail, name="training_program"),
    path(
        "settings/training/<uuid:pk>/trainees/<uuid:trainee_pk>/remove/",
        training_views.trainee_remove,
        name="training_trainee_remove",
    ),
    path("my-feedback/", feedback_views.my_feedback, name="my_feedback"),
    path("my-feedback/<uuid:pk>/", feedback_views.my_feedback_detail, name="my_feedback_detail"),
    path(
        "my-feedback/<uuid:pk>/draft/", feedback_views.my_feedback_draft, name="my_feedback_draft"
    ),
    path(
        "my-feedback/<uuid:pk>/no-show/",
        feedback_views.my_feedback_no_show,
        name="my_feedback_no_show",
    ),
    # Training progress: the trainee's own, a trainee's for them, their trainers and admins,
    # the admins' per program (the programs themselves: training_views).
    path("me/training/", training_progress_views.my_training, name="my_training"),
    path("me/training/<uuid:pk>/", training_progress_views.trainee_page, name="training_trainee"),
    path(
        "settings/training/<uuid:pk>/progress/",
        training_progress_views.program_progress,
        name="training_progress",
    ),
    path(
        "settings/training/<uuid:pk>/progress/<uuid:trainee_pk>/approve/",
        training_progress_views.approve,
        name="training_approve",
    ),
    path(
        "settings/training/<uuid:pk>/progress/<uuid:trainee_pk>/stage/",
        training_progress_views.set_stage,
        name="training_set_stage",
    ),
    path(
        "interviews/<uuid:pk>/feedback/<uuid:feedback_pk>/remind/",
        feedback_views.nudge,
        name="feedback_nudge",
    ),
]
