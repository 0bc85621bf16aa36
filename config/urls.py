from django.contrib import admin
from django.urls import include, path

from scheduling.views import unified_webhook

urlpatterns = [
    # First: in a webhook storm every delivery resolves this URL, and walking the whole
    # list before it cost ~0.1 ms of the receiver's ~1.3 (bench/webhooks.py, issue 24).
    path("webhooks/unified/", unified_webhook, name="unified_webhook"),
    path("admin/", admin.site.urls),
    path("", include("candidates.urls")),
    path("", include("scheduling.urls")),
]
