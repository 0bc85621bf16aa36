"""`manage.py dev` starts the Unified sandbox beside the web server when settings point
Convene at a local one, and not when they point at the real Unified."""

from scheduling.management.commands.dev import _processes


def test_the_local_sandbox_is_started_on_the_configured_port(settings):
    settings.UNIFIED_BASE_URL = "http://127.0.0.1:8765"
    processes = dict(_processes())
    assert processes["unified"][-5:] == [
        "unified_sandbox",
        "--host",
        "127.0.0.1",
        "--port",
        "8765",
    ]


def test_no_sandbox_against_the_real_unified(settings):
    settings.UNIFIED_BASE_URL = "https://api.unified.to"
    assert "unified" not in dict(_processes())


def test_the_web_server_listens_where_site_url_says_on_loopback(settings):
    """A second checkout runs beside the first: SITE_URL=http://127.0.0.1:8100 moves it."""
    settings.SITE_URL = "http://127.0.0.1:8100"
    assert dict(_processes())["web"][-2:] == ["runserver", "127.0.0.1:8100"]
    settings.SITE_URL = "https://convene.example.com"
    assert dict(_processes())["web"][-2:] == ["runserver", "127.0.0.1:8000"]
