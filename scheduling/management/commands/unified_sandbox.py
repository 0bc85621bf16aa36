import datetime as dt
import logging
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scheduling.management.stopping import stop_on_signals
from scheduling.unified.sandbox import seed
from scheduling.unified.sandbox.server import make_app, make_server


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--anchor-date must be YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    # The sandbox stands apart from Convene: it must start even while the app is broken.
    requires_system_checks = []

    help = (
        "Run the local Unified sandbox (Convene's stand-in for Unified.to) until Ctrl-C. "
        "State persists in its own SQLite file; it is seeded when the file is new or with "
        "--reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--db",
            default=str(Path(settings.VAR_DIR) / "unified-sandbox.sqlite3"),
            help="SQLite file holding the sandbox's state (default var/unified-sandbox.sqlite3)",
        )
        parser.add_argument("--memory", action="store_true", help="keep state in memory only")
        parser.add_argument("--reset", action="store_true", help="wipe and reseed at start")
        parser.add_argument(
            "--seed-size",
            type=int,
            default=seed.DEFAULT_SEED_SIZE,
            help="candidates in the Acme ATS (default 80; e.g. 10000 for benchmarks)",
        )
        parser.add_argument(
            "--anchor-date",
            type=_date,
            help="the day the seed is built around, YYYY-MM-DD (default today, UTC)",
        )
        parser.add_argument("--latency-ms", type=float, default=0.0)
        parser.add_argument(
            "--latency-jitter-ms", type=float, default=0.0, help="random extra latency, 0..N ms"
        )
        parser.add_argument("--rate-429", type=float, default=0.0)
        parser.add_argument("--rate-500", type=float, default=0.0)
        parser.add_argument("--rate-timeout", type=float, default=0.0)
        parser.add_argument(
            "--timeout-seconds", type=float, default=30.0, help="how long a timeout fault hangs"
        )
        parser.add_argument(
            "--retry-after", type=int, default=1, help="Retry-After seconds on injected 429s"
        )
        parser.add_argument(
            "--fail-after-write",
            type=float,
            default=0.0,
            help="fraction of successful writes answered 500 after being applied",
        )
        parser.add_argument("--fault-seed", type=int, default=0)
        parser.add_argument("--token", default=None, help="default: UNIFIED_API_TOKEN")
        parser.add_argument("--workspace-id", default=None, help="default: UNIFIED_WORKSPACE_ID")
        parser.add_argument(
            "--webhook-secret", default=None, help="default: UNIFIED_WEBHOOK_SECRET"
        )

    def handle(self, *args, **options):
        logging.getLogger("scheduling.unified.sandbox").setLevel(
            logging.DEBUG if options["verbosity"] > 1 else logging.INFO
        )
        db = ":memory:" if options["memory"] else options["db"]
        if db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        faults = {
            "latency_ms": options["latency_ms"],
            "latency_jitter_ms": options["latency_jitter_ms"],
            "rate_429": options["rate_429"],
            "rate_500": options["rate_500"],
            "rate_timeout": options["rate_timeout"],
            "timeout_seconds": options["timeout_seconds"],
            "retry_after": options["retry_after"],
            "fail_after_write": options["fail_after_write"],
        }
        app = make_app(
            db=db,
            token=options["token"] or settings.UNIFIED_API_TOKEN,
            workspace_id=options["workspace_id"] or settings.UNIFIED_WORKSPACE_ID,
            webhook_secret=options["webhook_secret"] or settings.UNIFIED_WEBHOOK_SECRET,
            anchor_date=options["anchor_date"],
            seed_size=options["seed_size"],
            reset=options["reset"],
            faults=faults,
            fault_seed=options["fault_seed"],
        )
        try:
            server = make_server(app, options["host"], options["port"])
        except OSError as error:
            app.close()
            raise CommandError(
                f"cannot listen on {options['host']}:{options['port']}: {error}"
            ) from None
        # Before the banner, which tells whoever waits for it that the sandbox can be stopped
        # (`dev` stops it with SIGTERM); the store is closed either way.
        stop_on_signals()
        try:
            self._banner(app, server, db, options)
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            app.close()

    def _banner(self, app, server, db, options):
        host, port = server.server_address[:2]
        info = app.seed_info
        write = self.stdout.write
        write(self.style.SUCCESS(f"Unified sandbox on http://{host}:{port}/  (Ctrl-C stops it)"))
        if app.seed_seconds is not None:
            how = f"seeded now in {app.seed_seconds:.2f}s"
        else:
            how = f"state kept from {db} (use --reset to reseed)"
        size = info.get("seed_size")
        write(f"  anchor date {info.get('anchor')}, {size} Acme candidates; {how}")
        write(f"  the sandbox page: http://{host}:{port}/")
        if (
            app.seed_seconds is None
            and options["anchor_date"]
            and options["anchor_date"].isoformat() != info.get("anchor")
        ):
            write(self.style.WARNING("  --anchor-date ignored: the state exists; add --reset"))
        write(f"  workspace {app.workspace_id}; API token and webhook secret from settings")
        write("  connections:")
        for connection_id, (world, category) in seed.SEEDED_CONNECTIONS.items():
            integration = seed.integration_for_world(world, category)
            write(f"    {connection_id}  {world:<7} {category:<9} {integration.type}")
        active = {k: v for k, v in app.faults.as_dict().items() if k.startswith("rate_") and v}
        if (
            options["latency_ms"]
            or options["latency_jitter_ms"]
            or active
            or options["fail_after_write"]
        ):
            write(self.style.WARNING(f"  faults: {app.faults.as_dict()}"))
        sys.stdout.flush()
