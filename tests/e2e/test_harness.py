"""The browser harness itself: problems in a page are noticed, not silently passed over."""

from playwright.sync_api import expect

# A strict policy like the app's, served by Playwright for one made-up address.
STRICT_CSP = "default-src 'self'; script-src 'self'"


def serve(page, path, body, content_type="text/html"):
    page.route(
        f"**{path}",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Security-Policy": STRICT_CSP, "Content-Type": content_type},
            body=body,
        ),
    )


def test_inline_script_blocked_by_csp_is_reported(page, browser_console):
    serve(page, "/probe/", "<title>probe</title><script>document.title = 'ran'</script>")
    page.goto("/probe/")

    expect(page).to_have_title("probe")  # the browser refused the inline script
    assert any("CSP violation" in p for p in browser_console.unexpected())
    browser_console.allow("CSP violation")


def test_uncaught_exception_and_missing_stylesheet_are_reported(page, browser_console):
    serve(page, "/boom.js", "throw new Error('boom')", "text/javascript")
    serve(
        page,
        "/probe/",
        '<link rel="stylesheet" href="/static/css/missing.css"><script src="/boom.js"></script>',
    )
    page.goto("/probe/")

    problems = browser_console.unexpected()
    assert any("JS error" in p and "boom" in p for p in problems), problems
    assert any(p.startswith("404 for") and "missing.css" in p for p in problems), problems
    browser_console.allow("boom")
    browser_console.allow("missing.css")
