#!/usr/bin/env python3
"""Aggregates the CPU samples of a JFR recording: top methods by self time and by total time.

    jfr_top.py RECORDING.jfr [--skip SECONDS] [--top N] [--package dev.nabla] [--thread REGEX]

Reads `jfr print --json --events jdk.ExecutionSample` (the `jfr` next to the running python's
JAVA_HOME, or on PATH). --skip drops the samples of the first SECONDS of the recording (JVM start-up
and JIT warm-up). Self = the sample's top frame; total = the method is anywhere on the stack (counted
once per sample). "first <package> frame" attributes each sample to the innermost frame of that package,
which shows which library method spends the time even when the top frame is in the JDK.
"""
import argparse
import collections
import datetime
import json
import os
import re
import shutil
import subprocess
import sys


def jfr_binary():
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "jfr")):
        return os.path.join(home, "bin", "jfr")
    found = shutil.which("jfr")
    if not found:
        sys.exit("jfr_top.py: no jfr tool (set JAVA_HOME to a JDK)")
    return found


def frame_name(frame):
    method = frame["method"]
    cls = method["type"]["name"].replace("/", ".")
    return cls + "." + method["name"]


def parse_time(text):
    # 2026-11-22T05:46:12.763280045Z -> datetime (microsecond precision is plenty)
    m = re.match(r"(\d+-\d+-\d+T\d+:\d+:\d+)(\.\d+)?Z", text)
    base = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    frac = float(m.group(2)) if m.group(2) else 0.0
    return base.timestamp() + frac


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("recording")
    ap.add_argument("--skip", type=float, default=0.0, help="ignore the first SECONDS of samples")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--package", default="dev.nabla.")
    ap.add_argument("--thread", default=None, help="only threads whose name matches this regex")
    ap.add_argument("--depth", type=int, default=96)
    ap.add_argument("--callers", default=None,
                    help="also list the call paths (package frames, innermost first) of samples in methods matching this regex")
    ap.add_argument("--path-length", type=int, default=6, help="frames shown per call path with --callers")
    args = ap.parse_args()

    out = subprocess.run([jfr_binary(), "print", "--json", "--stack-depth", str(args.depth),
                          "--events", "jdk.ExecutionSample", args.recording],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    if not events:
        sys.exit("no execution samples in " + args.recording)
    t0 = min(parse_time(e["values"]["startTime"]) for e in events)
    self_counts = collections.Counter()
    total_counts = collections.Counter()
    first_pkg = collections.Counter()
    paths = collections.Counter()
    threads = collections.Counter()
    n = 0
    for e in events:
        v = e["values"]
        if parse_time(v["startTime"]) - t0 < args.skip:
            continue
        thread = (v.get("sampledThread") or {}).get("javaName") or "?"
        if args.thread and not re.search(args.thread, thread):
            continue
        frames = (v.get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        n += 1
        threads[thread] += 1
        names = [frame_name(f) for f in frames]
        self_counts[names[0]] += 1
        for name in set(names):
            total_counts[name] += 1
        for name in names:
            if name.startswith(args.package):
                first_pkg[name] += 1
                break
        else:
            first_pkg["(no " + args.package + " frame) " + names[0]] += 1
        if args.callers:
            for i, name in enumerate(names):
                if re.search(args.callers, name):
                    chain = [name] + [x for x in names[i + 1:] if x.startswith(args.package)
                                      and "$$Lambda" not in x and ".lambda$" not in x and "Parallel" not in x]
                    short = [x.replace(args.package, "") for x in chain[:args.path_length]]
                    paths[" <- ".join(short)] += 1
                    break

    def table(title, counter):
        print(f"\n{title} ({n} samples)")
        for name, c in counter.most_common(args.top):
            print(f"{100.0 * c / n:6.1f}%  {c:6d}  {name}")

    print(f"{n} samples after skipping {args.skip:g} s; threads: "
          + ", ".join(f"{t} {c}" for t, c in threads.most_common(6)))
    table("self (top frame)", self_counts)
    table(f"first {args.package} frame", first_pkg)
    table("total (anywhere on the stack)",
          collections.Counter({k: c for k, c in total_counts.items() if k.startswith(args.package)}))
    if args.callers:
        table(f"call paths of {args.callers}", paths)


if __name__ == "__main__":
    main()
