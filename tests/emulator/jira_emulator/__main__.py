"""``python -m jira_emulator --port 0 --data fixture.yml``: print the base URL, serve until SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

import yaml

from .server import App, EmulatorServer
from .store import FixtureError

DEFAULT_FIXTURE = Path(__file__).parent / "fixtures" / "default.yml"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line options."""
    parser = argparse.ArgumentParser(prog="jira_emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one (default)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--data", type=Path, default=DEFAULT_FIXTURE, help="YAML/JSON fixture (default: bundled)")
    parser.add_argument("--context-path", default="", help="context path such as /jira (default: none)")
    args = parser.parse_args(argv)
    if not (args.host.startswith("127.") or args.host == "localhost"):
        parser.error("--host must be a loopback address: the emulator has well-known passwords")
    args.context_path = "/" + args.context_path.strip("/") if args.context_path.strip("/") else ""
    return args


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds serve_forever in the main thread


def main(argv: list[str] | None = None) -> int:
    """Start the emulator; the first stdout line is its base URL."""
    args = parse_args(argv)
    try:
        fixture = yaml.safe_load(args.data.read_text(encoding="utf-8"))
        app = App(fixture, args.context_path)
    except (OSError, yaml.YAMLError, FixtureError, KeyError, TypeError, ValueError) as exc:
        print(f"jira_emulator: cannot load fixture {args.data}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    server = EmulatorServer(args.host, args.port, app)
    signal.signal(signal.SIGTERM, _stop)
    print(app.base_url, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.exports.clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())
