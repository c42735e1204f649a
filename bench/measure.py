"""One endpoint under wrk (1 thread, 8 connections), as a line of bench/run's results; and the
report of all of them (`--report FILE`): each endpoint's median req/s, p50 and p99 over its
rounds, and the ratios to the floors.

    python bench/measure.py ENGINE LABEL URL [HEADER]   # prints: engine, label, req/s, p50, p99
    python bench/measure.py --report results.tsv    # medians of the rounds, and the ratios
"""

import os
import re
import statistics
import subprocess
import sys
import urllib.error
import urllib.request

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url, header, seconds):
    command = ["wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if header:
        command += ["-H", header]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return result.stdout


def measure(engine, label, url, header=""):
    request = urllib.request.Request(url, headers=dict([header.split(": ", 1)]) if header else {})
    try:
        status = urllib.request.urlopen(request, timeout=30).status
    except urllib.error.HTTPError as error:
        status = error.code
    wrk(url, header, 1)  # warm-up: connections, caches, the workers' first requests
    output = wrk(url, header, os.environ.get("BENCH_SECONDS", "5"))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    note = f"status {status}"
    if bad:
        note += f"; {bad.group(1)} answers not 2xx/3xx"
    if errors:
        note += f"; socket errors: {errors.group(1)}"
    print("\t".join([engine, label, f"{rate:.1f}", f"{p50:.2f}", f"{p99:.2f}", note]))


# (engine, milidip's row, floor's row) for each ratio printed.
RATIOS = [
    ("postgresql", "list page 1", "floor: list page 1"),
    ("postgresql", "list page 30", "floor: list page 30"),
    ("postgresql", "cached 200 (list page 1)", "floor: list page 1"),
    ("sqlite", "list page 1", "floor: list page 1 (Datasette)"),
    ("sqlite", "list page 30", "floor: list page 30 (Datasette)"),
    ("sqlite", "cached 200 (list page 1)", "floor: list page 1 (Datasette)"),
    ("postgresql", "304 (list page 1)", "floor: constant bytes"),
    ("postgresql", "cached 200 (list page 1)", "floor: constant bytes"),
    ("sqlite", "304 (list page 1)", "floor: constant bytes"),
    ("sqlite", "cached 200 (list page 1)", "floor: constant bytes"),
]


def report(path):
    """The median of each endpoint's rounds (req/s, p50 and p99 each taken apart), the rounds'
    req/s beside it, and the ratios of the medians."""
    runs, notes = {}, {}
    with open(path) as lines:
        for line in lines:
            if line.strip():
                engine, label, rate, p50, p99, note = line.rstrip("\n").split("\t")
                runs.setdefault((engine, label), []).append((float(rate), float(p50), float(p99)))
                notes.setdefault((engine, label), set()).add(note)
    print(f"\n{'engine':<11} {'endpoint':<42} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}  note")
    rates = {}
    for (engine, label), measured in runs.items():
        rate, p50, p99 = (statistics.median(column) for column in zip(*measured, strict=True))
        rates[engine, label] = rate
        note = "; ".join(sorted(notes[engine, label]))
        if len(measured) > 1:
            note += f"; rounds: {', '.join(f'{run[0]:.1f}' for run in measured)} req/s"
        print(f"{engine:<11} {label:<42} {rate:>9.1f} {p50:>9.2f} {p99:>9.2f}  {note}")
    print("\nratios (median req/s of milidip / median req/s of the floor)")
    for who in ("after", "before"):
        for engine, mine, floor in RATIOS:
            ours = rates.get((engine, f"{who}: {mine}"))
            theirs = rates.get((engine, floor)) or rates.get(("-", floor))
            if ours is not None and theirs:
                print(f"  {who:<6} {engine:<11} {mine:<26} / {floor:<32} {ours / theirs:6.2f}x")


if __name__ == "__main__":
    if sys.argv[1] == "--report":
        report(sys.argv[2])
    else:
        measure(*sys.argv[1:])
