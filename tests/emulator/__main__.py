"""Run the emulator until SIGTERM or SIGINT: PYTHONPATH=tests python -m emulator --info-file PATH."""

import argparse
import json
import os
import signal
import threading
from pathlib import Path

from .server import Emulator


def _write_info(path, emulator):
    """Write atomically so a reader polling for the file never sees half of it."""
    info = {"url": emulator.url, "ca_file": emulator.ca_file, "port": emulator.port, "pid": os.getpid()}
    partial = Path(f"{path}.partial")
    partial.write_text(json.dumps(info))
    partial.replace(path)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument(
        "--info-file", required=True, help="where to write {url, ca_file, port, pid} once listening"
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument(
        "--replication-delay", type=float, default=0.0, help="seconds new objects stay invisible"
    )
    parser.add_argument(
        "--replication-seed",
        type=int,
        default=None,
        help="draw each new object's delay at random (a fifth of --replication-delay to all of it) from this seed",
    )
    args = parser.parse_args(argv)

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    emulator = Emulator(
        port=args.port, replication_delay=args.replication_delay, replication_seed=args.replication_seed
    ).start()
    try:
        _write_info(args.info_file, emulator)
        print(f"emulator listening on {emulator.url}", flush=True)
        stopping.wait()
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
