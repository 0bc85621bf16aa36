"""A recruiter's first minute: the sign-in form, the team's home page, signing out."""

from playwright.sync_api import expect


def test_recruiter_signs_in_sees_the_team_and_signs_out(page, recruiter):
    page.goto("/")
    # Anonymous visitors are sent to the sign-in form, which will bring them back.
    expect(page).to_have_url("/sign-in/?next=/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Email").fill("rosa@acme.example")
    page.get_by_label("Password").fill("a-Long-test-passw0rd")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Acme Robotics", level=1)).to_be_visible()
    nav = page.get_by_role("banner")
    expect(nav.get_by_text("Acme Robotics")).to_be_visible()
    expect(nav.get_by_text("Rosa Recruiter")).to_be_visible()
    expect(page.get_by_role("heading", name="Get started: connect your systems")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url("/sign-in/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url("/sign-in/?next=/")


def test_wrong_password_says_so_and_keeps_the_email(page, recruiter):
    page.goto("/sign-in/")
    page.get_by_label("Email").fill("rosa@acme.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct")
    expect(page.get_by_label("Email")).to_have_value("rosa@acme.example")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_sign_in_page_fits_a_phone_without_sideways_scrolling(phone_page):
    phone_page.goto("/sign-in/")

    expect(phone_page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(phone_page.get_by_label("Email")).to_be_visible()
    expect(phone_page.get_by_role("button", name="Sign in")).to_be_in_viewport()
    assert phone_page.evaluate("innerWidth") == 390
    assert phone_page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


def test_home_page_fits_a_phone_after_signing_in(phone_page, recruiter, sign_in):
    sign_in(phone_page, recruiter)

    expect(phone_page.get_by_role("heading", name="Acme Robotics", level=1)).to_be_visible()
    expect(phone_page.get_by_role("button", name="Sign out")).to_be_visible()
    assert phone_page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
