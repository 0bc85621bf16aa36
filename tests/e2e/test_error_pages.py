"""What a person sees at an address that leads nowhere."""

from playwright.sync_api import expect


def test_unknown_address_shows_the_404_page_with_a_way_back(page):
    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page).to_have_title("Not found · Convene")
    expect(page.get_by_role("heading", name="We can’t find that page")).to_be_visible()

    page.get_by_role("link", name="Back to Convene").click()

    # Anonymous, so "back" ends on the sign-in form.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_404_page_keeps_the_signed_in_navigation(page, recruiter, sign_in):
    sign_in(page, recruiter)
    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page.get_by_role("heading", name="We can’t find that page")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
