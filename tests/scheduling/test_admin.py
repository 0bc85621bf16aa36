import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

OUR_APPS = {"scheduling", "candidates"}
MODELS = sorted(
    (m._meta.app_label, m._meta.model_name)
    for m in admin.site._registry
    if m._meta.app_label in OUR_APPS
)


def test_every_model_of_ours_is_in_the_admin():
    from django.apps import apps

    ours = {
        (m._meta.app_label, m._meta.model_name)
        for m in apps.get_models()
        if m._meta.app_label in OUR_APPS and not m._meta.auto_created
    }
    assert ours == set(MODELS)


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_admin_list_search_and_add_pages_load_for_a_superuser(admin_client, tenant, app, model):
    conn = f.connection(tenant)
    f.application(conn, f.candidate(conn, "Ann Example"), f.job(conn))
    changelist = reverse(f"admin:{app}_{model}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "ann"}).status_code == 200
    assert admin_client.get(reverse(f"admin:{app}_{model}_add")).status_code in (200, 403)


def test_admin_change_pages_load(admin_client, tenant, recruiter):
    conn = f.connection(tenant)
    app = f.application(conn, f.candidate(conn, "Ann Example"), f.job(conn))
    for obj in (tenant, conn, app, app.candidate, app.job):
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        assert admin_client.get(url).status_code == 200


def test_admin_is_closed_to_tenant_members(recruiter_client):
    response = recruiter_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_empty_to_field_is_no_500(admin_client, tenant):
    app = f.application(f.connection(tenant))
    url = reverse("admin:candidates_application_delete", args=[app.pk])
    assert admin_client.get(url, {"_to_field": ""}).status_code == 200
