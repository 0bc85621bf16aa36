from django.urls import path

from . import views

urlpatterns = [
    path("pipeline/", views.pipeline, name="pipeline"),
    path("candidates/<uuid:pk>/", views.candidate_detail, name="candidate_detail"),
    path("applications/<uuid:pk>/schedule/", views.schedule, name="schedule"),
    path("interviews/<uuid:pk>/reschedule/", views.reschedule, name="reschedule"),
]
