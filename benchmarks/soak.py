"""Load and soak: the learner list and the bilan dashboard at steady load for five minutes,
together, against `tremplin serve` on loopback; requests/s, p50 / p99, errors (non-2xx/3xx
responses and socket errors: zero expected), and the memory of the server's processes sampled
every 15 s (flat expected: the last samples within 10 % of the first ones after warm-up).

    python benchmarks/soak.py --existing [--duration 300] [--workers 3] [--connections 2]

Run it on a database with the national demo loaded (`make bench` leaves one; or
`tremplin demo load --scale national`). It needs `wrk` (Debian package, in the Makefile).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, setup, vendor, verified_client
from pages import LIST_URL, free_port

DASHBOARD_URL = "/rapports/?year=2019-2020"


def rss_kib(root: int) -> int:
    """Resident memory of a process and its children (gunicorn's master and workers), KiB."""
    total = 0
    pids = [root]
    children = Path(f"/proc/{root}/task/{root}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            found = re.search(r"^VmRSS:\s+(\d+) kB", status.read_text(), re.M)
            total += int(found.group(1)) if found else 0
    return total


def wrk(port: int, path: str, cookie: str, connections: int, duration: int) -> subprocess.Popen:  # type: ignore[type-arg]
    return subprocess.Popen(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def summary(output: str) -> dict[str, float]:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]

    def count(pattern: str) -> int:
        found = re.search(pattern, output)
        return sum(int(n) for n in found.groups() if n) if found else 0

    return {
        "requests": count(r"(\d+) requests in"),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1)),  # type: ignore[union-attr]
        "p99": ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1)),  # type: ignore[union-attr]
        "http_errors": count(r"Non-2xx or 3xx responses: (\d+)"),
        "socket_errors": count(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--existing", action="store_true", help="measure the loaded database")
    parser.add_argument("--duration", type=int, default=300)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args()
    if not args.existing:
        raise SystemExit("Chargez d'abord la démo nationale, puis relancez avec --existing.")
    if not shutil.which("wrk"):
        raise SystemExit("wrk est introuvable : installez le paquet Debian wrk (make system-deps).")
    setup(existing=True)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    client = verified_client("coordination")
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "tremplin.cli", "serve"),
            *("--port", str(port), "--workers", str(args.workers)),
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", DASHBOARD_URL, headers={"Cookie": cookie})
                conn.getresponse().read()
                conn.request("GET", LIST_URL, headers={"Cookie": cookie})
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("tremplin serve did not start") from None
                time.sleep(0.5)
        print(
            f"{vendor()}: gunicorn {args.workers} workers; wrk, {args.connections} connections "
            f"on each page, {args.duration} s together; {os.cpu_count()} cores"
        )
        loads = {
            "learner list": wrk(port, LIST_URL, cookie, args.connections, args.duration),
            "bilan dashboard": wrk(port, DASHBOARD_URL, cookie, args.connections, args.duration),
        }
        samples: list[tuple[float, int]] = []
        started = time.monotonic()
        while any(p.poll() is None for p in loads.values()):
            samples.append((time.monotonic() - started, rss_kib(server.pid)))
            time.sleep(15)
        results = {label: summary(p.communicate()[0]) for label, p in loads.items()}
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"{'page':<18}{'requests':>10}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    errors = 0
    for label, r in results.items():
        wrong = int(r["http_errors"] + r["socket_errors"])
        errors += wrong
        print(
            f"{label:<18}{r['requests']:>10.0f}{r['rps']:>9.1f}{r['p50']:>10.0f}"
            f"{r['p99']:>10.0f}{wrong:>8}"
        )
    print("memory of the server (gunicorn master and workers), MiB:")
    print("  " + "  ".join(f"{t:.0f}s: {kib / 1024:.0f}" for t, kib in samples))
    warm = [kib for t, kib in samples if t >= 30] or [kib for _, kib in samples]
    first, last = warm[: max(1, len(warm) // 4)], warm[-max(1, len(warm) // 4) :]
    drift = (sum(last) / len(last)) / (sum(first) / len(first)) - 1
    print(
        f"memory drift after warm-up: {drift:+.1%} ({'flat' if abs(drift) <= 0.10 else 'GROWING'})"
    )
    print(f"errors: {errors} ({'none' if errors == 0 else 'SOME REQUESTS FAILED'})")


if __name__ == "__main__":
    main()
