import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/scheduling/tenant/",
        "/admin/scheduling/membership/",
        "/admin/scheduling/user/",
        "/admin/scheduling/membership/?role__exact=admin&q=acme",
    ],
)
def test_admin_pages_load_for_a_superuser(admin_client, recruiter, path):
    response = admin_client.get(path)
    assert response.status_code == 200


def test_admin_is_closed_to_tenant_members(recruiter_client):
    response = recruiter_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
