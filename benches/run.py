#!/usr/bin/env python3
"""The benchmark harness: runs the real `flex-alerts` commands against `flex-alerts emulator`
with injected latency and limits, and writes benches/RESULTS.md.

    python3 benches/run.py                       # builds the release binary, 5 runs a case
    python3 benches/run.py --before OLD_BINARY   # adds a before/after table (same emulator)

Each case is run --runs times; the table gives min and median wall time, the requests the
emulator saw (from its request log), the round-trip floor of the case and the median's ratio to
it, and the peak resident memory of the command (from wait4). Only loopback is used.
Standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "ACe268443e43d93dab7ebef303bbe9642f"
TOKEN = "emulator-auth-token"
INSTANCE = "GO7123a699d77db6479a1d8ece2c4f1c16"


def alerts_yaml(count, threshold=10, metric_of=lambda index: "Waiting (Now)", notify=True):
    lines = ["version: 1", "alerts:" if count else "alerts: []"]
    for index in range(count):
        lines += [
            f"  - name: Bench alert {index:05}",
            f"    metric: {metric_of(index)}",
            "    channel: voice",
            "    queues: [Support]",
            "    thresholds:",
            f"      critical: {{ above: {threshold} }}",
        ]
        if notify:
            lines += [
                "    notify:",
                "      users: [jane.doe]",
                "      emails: [oncall@example.com]",
            ]
    return "\n".join(lines) + "\n"


class Emulator:
    """`flex-alerts emulator` on a free loopback port, in memory."""

    def __init__(self, binary, **faults):
        self.process = subprocess.Popen(
            [binary, "emulator", "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        first = self.process.stdout.readline().strip()
        assert first.startswith("listening on "), first
        self.url = first[len("listening on "):]
        self.faults = faults

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read()
            return json.loads(text) if text else None

    def set_faults(self, **faults):
        self.admin("PUT", "/__admin/faults", faults)

    def requests(self):
        return len(self.admin("GET", "/__admin/requests"))

    def clear(self):
        self.admin("DELETE", "/__admin/requests")

    def stop(self):
        self.process.kill()
        self.process.wait()


def environment(state_dir):
    env = dict(os.environ)
    env.update(
        TWILIO_ACCOUNT_SID=ACCOUNT,
        TWILIO_AUTH_TOKEN=TOKEN,
        FLEX_INSTANCE_SID=INSTANCE,
        FLEX_ALERTS_STATE_DIR=str(state_dir),
        NO_COLOR="1",
    )
    for name in ("TWILIO_API_KEY", "TWILIO_WORKSPACE_SID", "FLEX_ALERTS_STORE"):
        env.pop(name, None)
    return env


def peak_rss_helper(work):
    """Compiles benches/peak_rss.c (gcc is on every machine this runs on)."""
    helper = Path(work) / "peak_rss"
    subprocess.run(["cc", "-O2", "-o", str(helper), str(ROOT / "benches" / "peak_rss.c")], check=True)
    return str(helper)


def measure(helper, command, env):
    """Wall time (s), exit status and peak RSS (KiB) of one run of `command`."""
    with tempfile.NamedTemporaryFile() as errors, tempfile.NamedTemporaryFile() as result:
        program = command[0] if os.path.isabs(command[0]) else str(ROOT / command[0])
        actions = [
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, errors.name, os.O_WRONLY | os.O_TRUNC, 0),
        ]
        argv = [helper, result.name, program] + command[1:]
        started = time.perf_counter()
        pid = os.posix_spawn(helper, argv, env, file_actions=actions)
        os.waitpid(pid, 0)
        elapsed = time.perf_counter() - started
        stderr = Path(errors.name).read_text(errors="replace")
        peak, code = Path(result.name).read_text().split()
    return elapsed, int(code), int(peak), stderr


class Bench:
    def __init__(self, binary, setup_binary, runs, work, only=None):
        self.only = only
        self.binary = binary
        self.setup_binary = setup_binary
        self.runs = runs
        self.work = Path(work)
        self.rows = []
        self.helper = peak_rss_helper(work)

    def file(self, name, text):
        path = self.work / name
        path.write_text(text)
        return str(path)

    def remote(self, name, command, floor_trips, latency_ms, live=None, faults=None, ok=(0,)):
        """Runs `command` (after the store options) against a fresh emulator per run, holding
        the alerts of file `live` first (applied without latency)."""
        if self.only and self.only not in name:
            return
        times, requests, memory = [], [], []
        for _ in range(self.runs):
            emulator = Emulator(self.binary_for_emulator())
            state_dir = tempfile.mkdtemp(dir=self.work)
            env = environment(state_dir)
            try:
                if live:
                    setup = [self.setup_binary, "apply", "--store", emulator.url, live, "--auto-approve"]
                    result = subprocess.run(setup, env=env, cwd=ROOT, capture_output=True, text=True)
                    assert result.returncode == 0, result.stderr
                emulator.set_faults(latency_ms=latency_ms, **(faults or {}))
                emulator.clear()
                full = [self.binary] + command[:1] + ["--store", emulator.url] + command[1:]
                elapsed, code, rss, stderr = measure(self.helper, full, env)
                assert code in ok, f"{name}: exit {code}\n{stderr}"
                times.append(elapsed)
                requests.append(emulator.requests())
                memory.append(rss)
            finally:
                emulator.stop()
        floor = floor_trips * latency_ms / 1000 if floor_trips else None
        self.add(name, " ".join(command), times, requests, memory, floor, floor_trips, latency_ms)

    def offline(self, name, command):
        if self.only and self.only not in name:
            return
        times, memory = [], []
        for _ in range(self.runs):
            elapsed, _, rss, _ = measure(self.helper, [self.binary] + command, environment(self.work))
            times.append(elapsed)
            memory.append(rss)
        self.add(name, " ".join(command), times, None, memory, None, None, None)

    def binary_for_emulator(self):
        # One emulator for every binary measured, so that only the client differs.
        return self.setup_binary

    def add(self, name, command, times, requests, memory, floor, trips, latency):
        row = {
            "case": name,
            "command": command.replace(str(self.work) + "/", ""),
            "min_ms": min(times) * 1000,
            "median_ms": statistics.median(times) * 1000,
            "requests": statistics.median(requests) if requests else None,
            "floor_ms": floor * 1000 if floor else None,
            "floor": f"{trips} x {latency} ms" if trips else "",
            "ratio": statistics.median(times) / floor if floor else None,
            "peak_mib": max(memory) / 1024,
        }
        self.rows.append(row)
        print(f"{name}: median {row['median_ms']:.0f} ms, {row['requests']} requests", file=sys.stderr)


def cases(bench):
    hundred = bench.file("hundred.yaml", alerts_yaml(100))
    for count in (0, 10, 50, 100):
        live = bench.file(f"live{count}.yaml", alerts_yaml(count))
        bench.remote(f"plan, {count} live alerts", ["plan", live], 2, 25, live=live if count else None)
    bench.remote("plan, 100 live alerts, 50 ms", ["plan", hundred], 2, 50, live=hundred)
    for concurrency in (1, 4, 16, None):
        extra = ["--concurrency", str(concurrency)] if concurrency else []
        label = f"--concurrency {concurrency}" if concurrency else "default"
        bench.remote(f"apply 100 new, {label}", ["apply"] + extra + [hundred, "--auto-approve"], 6, 25)
    for retry_after, label in (("1", "Retry-After: 1"), (None, "no Retry-After")):
        faults = {"concurrency_limit": 4, "retry_after": retry_after}
        for concurrency in (None, 4):
            extra = ["--concurrency", str(concurrency)] if concurrency else []
            tuned = "--concurrency 4" if concurrency else "default"
            bench.remote(
                f"apply 100 new, 4 in flight ({label}), {tuned}",
                ["apply"] + extra + [hundred, "--auto-approve"], 6, 25, faults=faults,
            )
    raised = bench.file("raised.yaml", alerts_yaml(100, threshold=20))
    bench.remote("threshold update on 100", ["apply", raised, "--auto-approve"], 5, 25, live=hundred)
    metric = bench.file(
        "metric.yaml",
        alerts_yaml(100, metric_of=lambda index: "Longest (Now)" if index < 50 else "Waiting (Now)"),
    )
    bench.remote("metric change on 50 at the cap", ["apply", metric, "--auto-approve"], 8, 25, live=hundred)
    for count, files in ((100, 1), (1000, 10), (10000, 50)):
        directory = bench.work / f"validate{count}"
        directory.mkdir()
        per_file = count // files
        for index in range(files):
            (directory / f"part{index:02}.yaml").write_text(
                alerts_yaml(per_file).replace("Bench alert ", f"Bench alert {index:02}-")
            )
        bench.offline(f"validate {count} alerts in {files} files", ["validate", str(directory)])
    for rows in (100_000, 1_000_000):
        history = bench.work / f"history{rows}.csv"
        if not bench.only or bench.only in f"backtest {rows} rows":
            write_history(history, rows)
        bench.offline(f"backtest {rows} rows", ["backtest", "--history", str(history), str(ROOT / "examples")])


def write_history(path, rows):
    """A metric history of `rows` rows: four series with a daily rhythm, a row a minute each."""
    series = [
        ("Support", "voice", "Longest (Now)", 240),
        ("Billing", "voice", "Waiting (Now)", 16),
        ("Support", "", "Available Agents (Now)", 8),
        ("Support", "chat", "Waiting (Now)", 30),
    ]
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    with open(path, "w") as out:
        out.write("time,queue,channel,metric,value\n")
        for index in range(rows):
            minute, which = divmod(index, len(series))
            queue, channel, metric, peak = series[which]
            stamp = (start + datetime.timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")
            hour = minute // 60 % 24
            busy = 1.0 if 9 <= hour < 17 else 0.2
            value = int(peak * busy * ((minute * 7919 + which * 104729) % 100) / 100)
            out.write(f"{stamp},{queue},{channel},{metric},{value}\n")


def table(rows):
    lines = [
        "| case | command | min | median | requests | floor | ratio | peak memory |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            "| {case} | `{command}` | {min_ms:.0f} ms | {median_ms:.0f} ms | {requests} | {floor} | {ratio} | {peak_mib:.1f} MiB |".format(
                **{**row,
                   "requests": "" if row["requests"] is None else f"{row['requests']:.0f}",
                   "ratio": "" if row["ratio"] is None else f"{row['ratio']:.1f}x"}
            )
        )
    return "\n".join(lines)


def targets(rows):
    """The targets of the speed issue, as ratios of this run's medians."""
    median = {row["case"]: row for row in rows}

    def ratio(case, other):
        if case in median and other in median:
            return median[case]["median_ms"] / median[other]["median_ms"]
        return None

    lines = ["| target | measured | met |", "|---|---|---|"]

    def line(text, value, ok, shown):
        if value is not None:
            lines.append(f"| {text} | {shown} | {'yes' if ok else 'NO'} |")

    faster = ratio("apply 100 new, --concurrency 1", "apply 100 new, default")
    line("apply 100 new, default: at least 12x faster than --concurrency 1", faster,
         faster and faster >= 12, f"{faster:.1f}x" if faster else "")
    floor = median.get("apply 100 new, default", {}).get("ratio")
    line("apply 100 new, default: within 2.5x of the 6-round-trip floor", floor,
         floor and floor <= 2.5, f"{floor:.1f}x" if floor else "")
    for variant in ("Retry-After: 1", "no Retry-After"):
        tuned = ratio(f"apply 100 new, 4 in flight ({variant}), default",
                      f"apply 100 new, 4 in flight ({variant}), --concurrency 4")
        line(f"4-in-flight server ({variant}): within 1.3x of --concurrency 4, no failed step",
             tuned, tuned and tuned <= 1.3, f"{tuned:.2f}x" if tuned else "")
    plan = median.get("plan, 100 live alerts, 50 ms", {}).get("ratio")
    line("plan of 100 live alerts at 50 ms: within 3x of the 2-round-trip floor", plan,
         plan and plan <= 3, f"{plan:.1f}x" if plan else "")
    validate = median.get("validate 100 alerts in 1 files")
    if validate:
        line("validate 100 alerts: under 30 ms and 30 MiB", 1,
             validate["median_ms"] < 30 and validate["peak_mib"] < 30,
             f"{validate['median_ms']:.0f} ms, {validate['peak_mib']:.1f} MiB")
    small, large = median.get("backtest 100000 rows"), median.get("backtest 1000000 rows")
    if small and large:
        scale = large["median_ms"] / small["median_ms"]
        line("backtest of 1,000,000 rows: at most 12x the time of 100,000 (streamed, linear), under 256 MiB",
             scale, scale <= 12 and large["peak_mib"] < 256,
             f"{scale:.1f}x, {large['median_ms']:.0f} ms, {large['peak_mib']:.1f} MiB")
    return "\n".join(lines)


def machine():
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model or platform.processor()}), {memory:.0f} GiB, {platform.system()} {platform.release()}"


def run_all(binary, setup_binary, runs, only=None):
    with tempfile.TemporaryDirectory() as work:
        bench = Bench(binary, setup_binary, runs, work, only)
        cases(bench)
        return bench.rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", help="also write the rows as JSON to this file")
    parser.add_argument("--binary", help="flex-alerts to measure (default: build the release binary)")
    parser.add_argument("--before", help="an earlier flex-alerts binary to compare with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "benches" / "RESULTS.md"))
    parser.add_argument("--only", help="run only the cases whose name contains this (a trial)")
    args = parser.parse_args()
    binary = args.binary
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
        binary = str(ROOT / "target" / "release" / "flex-alerts")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    after = run_all(binary, binary, args.runs, args.only)
    before = run_all(args.before, binary, args.runs, args.only) if args.before else None
    size = Path(binary).stat().st_size / 2**20
    with tempfile.TemporaryDirectory() as scratch:
        stripped = Path(scratch) / "stripped"
        done = subprocess.run(["strip", "-o", str(stripped), binary], capture_output=True)
        stripped_size = stripped.stat().st_size / 2**20 if done.returncode == 0 else None
    text = [
        "# Benchmark results",
        "",
        f"Written by `python3 benches/run.py` on {datetime.date.today().isoformat()}, commit {commit}.",
        f"Machine: {machine()}. Shared and noisy: compare ratios within one run.",
        f"Release binary: {size:.1f} MiB with line tables for backtraces"
        + (f", {stripped_size:.1f} MiB stripped" if stripped_size else "")
        + f". {args.runs} runs a case; the emulator (this build's) adds the latency shown in the floor column to every request.",
        "The floor is the dependent round trips the case cannot avoid (plan: the lists, then the",
        "configurations; writes: a configuration, then its rule; read-back: the rules, then the",
        "configurations written) times the latency. Ratio: the median over the floor.",
        "",
        table(after),
        "",
        "## Targets",
        "",
        targets(after),
    ]
    if before:
        text += ["", "## Before and after", "", "Medians of the same cases, the same emulator, one run of this harness:", "",
                 "| case | before | after | speed-up | requests before | requests after |",
                 "|---|---|---|---|---|---|"]
        def count(row):
            return "" if row["requests"] is None else f"{row['requests']:.0f}"

        for old, new in zip(before, after):
            text.append(
                f"| {new['case']} | {old['median_ms']:.0f} ms | {new['median_ms']:.0f} ms | "
                f"{old['median_ms'] / new['median_ms']:.1f}x | {count(old)} | {count(new)} |"
            )
    # The release sizes come from scripts/check-release: kept as they were.
    previous = Path(args.out).read_text() if Path(args.out).exists() else ""
    if "\n## Release sizes\n" in previous:
        text += ["", "## Release sizes" + previous.split("\n## Release sizes", 1)[1].rstrip("\n")]
    Path(args.out).write_text("\n".join(text) + "\n")
    if args.save:
        Path(args.save).write_text(json.dumps({"after": after, "before": before}, indent=1))
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
