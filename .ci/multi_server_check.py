"""What .ci/multi-server shows, against two app servers sharing a primary, a replica and Redis.

1. Read-your-writes across servers: a record written through one server (PATCH with a token) is
   read back at once through the other with the same token: the new body, and a 200 (never a
   304) for the ETag read before the write. Anonymous readers, who may read the replica, are
   timed until they see the write.
2. One app server killed (SIGKILL, its whole process group) under load: wrk on the other, a
   writer alternating between the two (trying the other when one fails, as a load balancer
   would) and a prober on both. Every acknowledged write must be in the record's history on the
   primary, and the surviving server must answer every request.
3. The replica stopped (fast shutdown) under load on both servers: the same checks, plus the
   seconds until reads recover (from the stop to the last failed read; 0 when none failed) and
   the readiness probe's view of the replica.
Prints the figures; exits non-zero when a check fails.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

SLUG = "rok-us-mutual-defense-treaty"
RECORD = f"/api/v1/treaties/{SLUG}/"
LOAD_PATH = "/api/v1/treaties/?page_size=20"
LOAD_SECONDS = 8
STOP_AFTER = 3
RECOVERY_BOUND = 10
failures = []


def call(base, path, method="GET", token=None, body=None, headers=None, timeout=5):
    """(status, headers, body bytes); raises OSError when the server cannot be reached."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"FAIL: {message}")


def wait_until_up(base, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if call(base, "/health/live", timeout=2)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def write(base, token, name):
    """PATCH the record's name through `base`; True when acknowledged (200)."""
    status, headers, _ = call(base, RECORD, token=token)
    if status != 200:
        return False
    status, _, _ = call(base, RECORD, "PATCH", token, {"name": name}, {"If-Match": headers["ETag"]})
    return status == 200


def read_your_writes(a, b, token, rounds=20):
    print("\n-- 1. a write through one server, read back through the other at once")
    anonymous_catch_up = []
    failed_before = len(failures)
    for number in range(rounds):
        writer, reader = (a, b) if number % 2 == 0 else (b, a)
        status, headers, _ = call(reader, RECORD, token=token)
        old_etag = headers["ETag"]
        name = f"Read-your-writes {number}"
        check(write(writer, token, name), f"write {number} through {writer} was not acknowledged")
        status, headers, body = call(
            reader, RECORD, token=token, headers={"If-None-Match": old_etag}
        )
        check(
            status == 200,
            f"round {number}: the old ETag got {status} from the other server (stale 304)",
        )
        check(
            status != 200 or json.loads(body)["name"] == name,
            f"round {number}: the other server gave a stale body",
        )
        started = time.monotonic()
        while time.monotonic() - started < 5:
            status, _, body = call(reader, RECORD)
            if status == 200 and json.loads(body)["name"] == name:
                break
            time.sleep(0.01)
        anonymous_catch_up.append(time.monotonic() - started)
    print(
        f"{rounds} writes alternating between the servers, each read back through the other "
        f"with the writer's token: {rounds - (len(failures) - failed_before)} fresh at once "
        "(body and ETag)"
    )
    print(
        "anonymous readers (the replica) saw each write after at most "
        f"{max(anonymous_catch_up) * 1000:.0f} ms (median "
        f"{sorted(anonymous_catch_up)[len(anonymous_catch_up) // 2] * 1000:.0f} ms)"
    )


def run_wrk(base, results, key):
    output = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{LOAD_SECONDS}s", "--timeout", "5s", base + LOAD_PATH],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    requests = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    results[key] = {
        "requests": int(requests.group(1)) if requests else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, socket.groups())) if socket else 0,
    }


class Writer(threading.Thread):
    """Writes a new name again and again, alternating servers, trying the other on failure."""

    def __init__(self, servers, token, label):
        super().__init__(daemon=True)
        self.servers, self.token, self.label = servers, token, label
        self.acknowledged, self.failed = [], 0
        self.stop = threading.Event()

    def run(self):
        number = 0
        while not self.stop.is_set():
            for base in (self.servers[number % 2], self.servers[(number + 1) % 2]):
                name = f"{self.label} {number}"
                try:
                    if write(base, self.token, name):
                        self.acknowledged.append(name)
                        break
                except OSError:
                    pass
                self.failed += 1
            number += 1
            time.sleep(0.05)


class Prober(threading.Thread):
    """An anonymous read every 50 ms; records when each failed."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.base, self.ok, self.failed_at = base, 0, []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                status = call(self.base, LOAD_PATH, timeout=5)[0]
            except OSError:
                status = None
            if status == 200:
                self.ok += 1
            else:
                self.failed_at.append(time.monotonic())
            time.sleep(0.05)


def history_names(database_url):
    output = subprocess.run(
        [
            "psql",
            "-qtA",
            database_url,
            "-c",
            f"SELECT name FROM alliances_historicaltreaty WHERE slug = '{SLUG}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(output.splitlines())


def under_load(label, a, b, token, loaded, probed, stop, database_url):
    """Load `loaded`, write through both, probe `probed`; run `stop` after STOP_AFTER seconds."""
    results = {}
    loads = [threading.Thread(target=run_wrk, args=(base, results, base)) for base in loaded]
    writer = Writer([a, b], token, label)
    probers = {base: Prober(base) for base in probed}
    for thread in (*loads, writer, *probers.values()):
        thread.start()
    time.sleep(STOP_AFTER)
    stopped_at = time.monotonic()
    stop()
    for thread in loads:
        thread.join()
    writer.stop.set()
    writer.join()
    for prober in probers.values():
        prober.stop.set()
        prober.join()
    kept = history_names(database_url)
    lost = [name for name in writer.acknowledged if name not in kept]
    print(
        f"writes: {len(writer.acknowledged)} acknowledged, {len(lost)} of them lost, "
        f"{writer.failed} attempts failed (and were tried on the other server)"
    )
    check(writer.acknowledged, f"{label}: no write was acknowledged")
    check(not lost, f"{label}: acknowledged writes lost: {lost[:5]}")
    for base, figures in results.items():
        print(
            f"wrk on {base} for {LOAD_SECONDS} s: {figures['requests']} requests, "
            f"{figures['non_2xx']} non-2xx, {figures['socket_errors']} socket errors"
        )
    for base, prober in probers.items():
        after = [moment - stopped_at for moment in prober.failed_at if moment >= stopped_at]
        recovery = max(after) if after else 0.0
        print(
            f"reads through {base}: {prober.ok} answered, {len(prober.failed_at)} failed; "
            f"seconds until reads recovered after the stop: {recovery:.2f}"
        )
    return results, probers, stopped_at


def readiness(base):
    status, _, body = call(base, "/health/ready")
    return status, json.loads(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--pid-file-a", required=True)
    parser.add_argument("--restart-a", required=True, help="the command that serves A again")
    parser.add_argument("--stop-replica", required=True)
    options = parser.parse_args()
    a, b, token = options.a, options.b, options.token
    database_url = os.environ["DATABASE_URL"]
    for base in (a, b):
        check(wait_until_up(base), f"{base} did not come up")
    if failures:
        return 1
    status, ready = readiness(b)
    replica = ready["components"]["replica"]
    print(f"readiness of {b}: {status}, replica {replica['status']}, lag {replica['seconds']} s")
    check(status == 200 and replica["status"] == "ok", "the replica is not in use at the start")

    read_your_writes(a, b, token)

    print(f"\n-- 2. app server {a} killed {STOP_AFTER} s into {LOAD_SECONDS} s of load on {b}")
    with open(options.pid_file_a) as pid_file:
        pid = int(pid_file.read())

    def kill_a():
        os.killpg(pid, signal.SIGKILL)

    results, probers, _ = under_load("Server killed", a, b, token, [b], [b], kill_a, database_url)
    check(results[b]["non_2xx"] == 0 and results[b]["socket_errors"] == 0, f"{b} failed under load")
    check(not probers[b].failed_at, f"{b} failed reads while {a} was down")

    server = subprocess.Popen(options.restart_a, shell=True, start_new_session=True)
    with open(options.pid_file_a, "w") as pid_file:
        pid_file.write(str(server.pid))
    check(wait_until_up(a), f"{a} did not come back")

    print(
        f"\n-- 3. the replica stopped {STOP_AFTER} s into {LOAD_SECONDS} s of load on both servers"
    )

    def stop_replica():
        subprocess.run(options.stop_replica, shell=True, check=True)

    results, probers, stopped_at = under_load(
        "Replica stopped", a, b, token, [a, b], [a, b], stop_replica, database_url
    )
    for base, prober in probers.items():
        late = [moment for moment in prober.failed_at if moment - stopped_at > RECOVERY_BOUND]
        check(not late, f"reads through {base} still failed {RECOVERY_BOUND} s after the stop")
    errors = sum(figures["non_2xx"] + figures["socket_errors"] for figures in results.values())
    print(f"errors under load while the replica stopped, both servers: {errors}")
    for base in (a, b):
        status, ready = readiness(base)
        replica = ready["components"]["replica"]
        print(f"readiness of {base}: {status}, replica {replica['status']}: {replica['detail']}")
        check(status == 200 and replica["status"] == "degraded", f"{base} readiness after the stop")

    status, _, body = call(
        b, "/metrics", headers={"Authorization": f"Bearer {os.environ['METRICS_TOKEN']}"}
    )
    check(status == 200, f"/metrics with the token answered {status}")
    wanted = (
        "milidip_db_query_duration_seconds_count",
        "django_http_requests_total_by_method_total",
    )
    print("\nmetrics of " + b + " (some lines):")
    for line in body.decode().splitlines():
        if line.startswith(wanted):
            print("  " + line)
    check(call(b, "/metrics")[0] == 403, "/metrics answered without the token")

    print("\nmulti-server: " + ("passed" if not failures else f"{len(failures)} check(s) failed"))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
