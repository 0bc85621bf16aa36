"""The Unified sandbox: a local imitation of Unified.to that Convene talks to over HTTP.

Convene's demo, tests and benchmarks run against it instead of the real Unified, which this
machine cannot reach. It speaks the wire format of docs/unified.md: the same paths,
bearer-token check, bare-array lists, JSON shapes, enums, pagination quirks, error bodies,
signed webhook deliveries and a Connect flow that redirects back with a connection id.

    python manage.py unified_sandbox --port 8765         # the demo's (make run starts it)
    with running_sandbox() as sandbox: …                  # tests (testing.py)

Modules: store.py (SQLite state), seed.py (the worlds and their connection ids),
integrations.py (the vendors and their capability differences), api.py (Unified's routes),
events.py (event times, busy blocks), connect.py (Connect and its consent page),
deliveries.py (webhooks), faults.py (fault injection), control.py (/sandbox/ endpoints),
pages.py (the page at /), server.py (WSGI app and threaded server), testing.py.

Nothing here imports Convene's models or Django settings: the management command reads the
settings and passes them in.
"""

from .server import make_app, make_server, serve

__all__ = ["make_app", "make_server", "serve"]
