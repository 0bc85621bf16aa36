"""Clean stops for the long-running commands (`dev`, `unified_sandbox`)."""

import signal


def _stop(*_):
    raise KeyboardInterrupt


def stop_on_signals():
    """Turn SIGINT, SIGTERM and SIGHUP into KeyboardInterrupt, so that Ctrl-C, `kill` or a
    closed terminal stops the command through its `finally` blocks. Installed explicitly: a
    shell that starts a command in the background hands SIGINT down as "ignored"."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
