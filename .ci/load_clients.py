"""The load test's clients (run by .ci/load): one normal client, then 16 hostile ones beside it.

The normal client asks, in turn, for a record (the audit's "normal 20 ms request") and a small
filtered page, at a steady pace (one request every 100 ms, well inside its budget), first alone,
then while 16 hostile anonymous clients, each with its own address (X-Forwarded-For, behind
TRUSTED_PROXY_COUNT=1), loop over the most expensive requests the API allows as fast as they can,
and then while 4 more connections also post wrong admin passwords as fast as they can.
The hostile clients run in a process of their own so that their threads never delay the normal
client's clock. Prints the normal client's latency (p50, p99, max) alone and under attack, and the
status counts; fails only when the server answered a 5xx or could not be reached.

    python .ci/load_clients.py http://127.0.0.1:PORT [--quiet-seconds 5] [--attack-seconds 10]
"""

import argparse
import collections
import http.client
import multiprocessing
import re
import threading
import time
import urllib.parse

NORMALS = {
    "a record": "/api/v1/alliances/nato/",
    "a filtered page": "/api/v1/exercises/?country=USA&page_size=20",
}
NORMAL_ADDRESS = "198.51.100.200"
PACE = 0.1
HOSTILE_CLIENTS = 16
# Beside them, connections posting wrong admin passwords as fast as they can (the audit's 4).
LOGIN_FLOODERS = 4
TEN_OR_TERMS = "+or+".join(["korea", "japan", "navy", "army", "pacific"] * 2)
HOSTILE = [
    "/api/v1/exercises/?page_size=500",
    "/api/v1/exercises/?page_size=500&format=api",
    f"/api/v1/exercises/?page_size=500&search={TEN_OR_TERMS}",
    f"/api/v1/search/?limit=100&q={TEN_OR_TERMS}",
    "/api/v1/alliances/?page_size=500&format=csv",
]


def send(origin, method, path, headers, body=None):
    """One request on a fresh connection: (status or an error name, seconds)."""
    parts = urllib.parse.urlsplit(origin)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError as error:
        status = type(error).__name__
    finally:
        connection.close()
    return status, time.perf_counter() - started


def get(origin, path, address):
    """One GET from `address`: (status or an error name, seconds)."""
    return send(origin, "GET", path, {"X-Forwarded-For": address})


def login_form(origin, address):
    """The admin login page's CSRF cookie and form token, as a browser would get them."""
    parts = urllib.parse.urlsplit(origin)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", "/admin/login/", headers={"X-Forwarded-For": address})
        response = connection.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
    finally:
        connection.close()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return cookie, token


def post_wrong_password(origin, address, cookie, token):
    """One login attempt with a wrong password: (status or an error name, seconds)."""
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "admin", "password": "wrong-guess"}
    )
    headers = {
        "X-Forwarded-For": address,
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return send(origin, "POST", "/admin/login/", headers, body)


def hostile(origin, seconds, results, login_floods):
    """16 threads, each one client looping over the expensive requests until time is up."""
    counts = collections.Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number):
        address = f"203.0.113.{number + 1}"
        mine = collections.Counter()
        index = number
        while time.monotonic() < deadline:
            status, _ = get(origin, HOSTILE[index % len(HOSTILE)], address)
            mine[status] += 1
            index += 1
        with lock:
            counts.update(mine)

    def login_flooder(number):
        address = f"203.0.113.{101 + number}"
        cookie, token = login_form(origin, address)
        mine = collections.Counter()
        while time.monotonic() < deadline:
            status, _ = post_wrong_password(origin, address, cookie, token)
            mine[f"login {status}"] += 1
        with lock:
            counts.update(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(HOSTILE_CLIENTS)]
    if login_floods:
        threads += [
            threading.Thread(target=login_flooder, args=(n,)) for n in range(LOGIN_FLOODERS)
        ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(dict(counts))


def normal(origin, seconds):
    """The normal client at a steady pace, its requests in turn: {name: [(status, seconds)]}."""
    samples = {name: [] for name in NORMALS}
    names = list(NORMALS)
    start = time.monotonic()
    sent = 0
    while time.monotonic() - start < seconds:
        name = names[sent % len(names)]
        samples[name].append(get(origin, NORMALS[name], NORMAL_ADDRESS))
        sent += 1
        time.sleep(max(0.0, start + sent * PACE - time.monotonic()))
    return samples


def percentile(values, fraction):
    """Nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(fraction * len(ordered) + 0.999999) - 1))]


def report(name, samples):
    times = [seconds * 1000 for _, seconds in samples]
    statuses = collections.Counter(status for status, _ in samples)
    print(
        f"normal client, {name}: {len(samples)} requests, p50 {percentile(times, 0.5):.0f} ms, "
        f"p99 {percentile(times, 0.99):.0f} ms, max {max(times):.0f} ms; "
        f"statuses {dict(sorted(statuses.items(), key=str))}"
    )
    return statuses, percentile(times, 0.99) / 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("origin")
    parser.add_argument("--quiet-seconds", type=float, default=5)
    parser.add_argument("--attack-seconds", type=float, default=10)
    args = parser.parse_args()
    print(f"normal client: one request every {PACE * 1000:.0f} ms, in turn:")
    for name, path in NORMALS.items():
        print(f"  {name}: GET {path}")
    print(
        f"hostile: {LOGIN_FLOODERS} connections posting wrong admin passwords, and "
        f"{HOSTILE_CLIENTS} clients, each its own address, looping over:"
    )
    for path in HOSTILE:
        print(f"  GET {path}")

    # Warm both workers up (imports, URL patterns, connections) with small requests from
    # addresses of their own, so that no budget measured below (nor the shared pool) is spent.
    warm_up = [*NORMALS.values(), "/api/v1/", "/api/v1/search/?q=korea"]
    warm_up.append("/api/v1/alliances/?format=csv")
    for number, path in enumerate(warm_up * 3):
        get(args.origin, path, f"192.0.2.{number + 1}")
    quiet = normal(args.origin, args.quiet_seconds)
    seen = []
    for name in NORMALS:
        seen += report(f"{name}, alone", quiet[name])[0]
    phases = {
        f"{HOSTILE_CLIENTS} hostile clients": False,
        f"{HOSTILE_CLIENTS} hostile clients and {LOGIN_FLOODERS} login floods": True,
    }
    verdicts = []
    for phase, login_floods in phases.items():
        results = multiprocessing.Queue()
        attackers = multiprocessing.Process(
            target=hostile, args=(args.origin, args.attack_seconds, results, login_floods)
        )
        attackers.start()
        attacked = normal(args.origin, args.attack_seconds)
        counts = results.get(timeout=60)
        attackers.join()
        for name in NORMALS:
            statuses, p99 = report(f"{name}, with {phase}", attacked[name])
            seen += statuses
            verdict = "under" if p99 < 0.2 else "NOT under"
            verdicts.append(f"{name}, with {phase}: p99 {verdict} 200 ms ({p99 * 1000:.0f} ms)")
        total = sum(counts.values())
        print(
            f"  the attackers ({phase}): {total} requests ({total / args.attack_seconds:.0f}/s), "
            f"statuses {dict(sorted(counts.items(), key=str))}"
        )
        seen += counts
    print("\n".join(verdicts))
    # A status is a number, an error's name, or "login 429" for the login floods.
    codes = [str(status).split()[-1] for status in seen]
    failures = [code for code in codes if not code.isdigit() or code.startswith("5")]
    if failures:
        failed = sorted(map(str, failures))
        raise SystemExit(f"load: the server failed or was unreachable: {failed}")


if __name__ == "__main__":
    main()
