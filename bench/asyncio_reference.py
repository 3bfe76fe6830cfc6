#!/usr/bin/env python3
"""Reference from the seeds' own stack: a drift-corrected asyncio loop built on loop.call_at.

Release k is due at t0 + k * period (never now + period), exactly as tactus' periodic tasks; a
release late by two periods or more runs once and the slots in between are counted as skipped,
also as tactus does. Lateness = loop.time() at the callback - its due time (loop.time() is
time.monotonic()). Prints one JSON object. Standard library only.

    python3 bench/asyncio_reference.py --period-ms 1 --duration-s 3
"""
import argparse
import asyncio
import json
import math
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


async def measure(period_s, duration_s):
    loop = asyncio.get_running_loop()
    lateness = []
    starts = []
    state = {"index": 0, "skipped": 0, "handle": None}
    t0 = loop.time() + period_s
    end = t0 + duration_s
    done = loop.create_future()

    def tick():
        now = loop.time()
        due = t0 + state["index"] * period_s
        lateness.append(now - due)
        starts.append(time.perf_counter())
        following = state["index"] + 1
        if now - due >= 2 * period_s:
            latest_due = math.floor((now - t0) / period_s)
            following = latest_due + 1
            state["skipped"] += latest_due - state["index"]
        state["index"] = following
        next_due = t0 + following * period_s
        if next_due >= end:
            done.set_result(None)
            return
        state["handle"] = loop.call_at(next_due, tick)

    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    loop.call_at(t0, tick)
    await done
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    lateness.sort()
    ms = 1000.0
    return {
        "periodMs": period_s * ms,
        "runs": len(starts),
        "expected": int(round(duration_s / period_s)),
        "skipped": state["skipped"],
        "meanPeriodMs": (starts[-1] - starts[0]) / (len(starts) - 1) * ms if len(starts) > 1 else float("nan"),
        "latenessMs": {
            "p50": percentile(lateness, 50) * ms,
            "p99": percentile(lateness, 99) * ms,
            "max": lateness[-1] * ms if lateness else float("nan"),
        },
        "core": cpu / wall,
        "python": ".".join(map(str, __import__("sys").version_info[:3])),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period-ms", type=float, default=1.0)
    parser.add_argument("--duration-s", type=float, default=3.0)
    args = parser.parse_args()
    result = asyncio.run(measure(args.period_ms / 1000.0, args.duration_s))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
