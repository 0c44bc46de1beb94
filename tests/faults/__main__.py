"""`make faults`: a few hundred units through each fault, on SQLite and PostgreSQL; a table of what was lost.

    python -m tests.faults [--db sqlite|postgresql|both] [--units N] [--only FAULT[,FAULT]] [--env K=V]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
import traceback
from pathlib import Path

from tests.faults import harness
from tests.faults.faults import BY_NAME, FAULTS, Fault
from tests.faults.report import Row, details, table, write
from tests.faults.stacks import fresh
from tests.support import pg
from tests.support.stack import ROOT


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"],
                   help="default: both when PostgreSQL answers, else sqlite")
    p.add_argument("--units", type=int, default=200, help="units driven through each fault (default 200)")
    p.add_argument("--rate", type=float, default=8.0,
                   help="units released per second at most, so that the load outlasts the fault (8; 0: no limit)")
    p.add_argument("--only", action="append", default=[], help=f"comma-separated faults: {', '.join(BY_NAME)}")
    p.add_argument("--timeout", type=float, default=240, help="longest wait after the load, seconds (240)")
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                   help="extra service settings, e.g. REPAIR_GAP_CHECK_INTERVAL_S=2 (repeatable)")
    p.add_argument("--out", type=Path, default=ROOT / "var" / "faults")
    return p.parse_args()


def _dbs(choice: str | None) -> list[str]:
    reason = pg.available()
    if choice in (None, "both"):
        if reason and choice == "both":
            raise SystemExit(reason)
        return ["sqlite"] if reason else ["sqlite", "postgresql"]
    if choice == "postgresql" and reason:
        raise SystemExit(reason)
    return [choice]


def _faults(only: list[str]) -> list[Fault]:
    names = [n.strip() for arg in only for n in arg.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown fault(s) {unknown}; known: {', '.join(BY_NAME)}")
    return [BY_NAME[n] for n in names] if names else list(FAULTS)


def _one(fault: Fault, db: str, a: argparse.Namespace, env: dict[str, str]) -> Row:
    if fault.postgresql_only and db != "postgresql":
        return Row(fault.name, db, fault.what, status="n/a", detail={"notes": ["not applicable on SQLite"]})
    try:
        with fresh(db, a.out / "runs" / f"{db}-{fault.name}", env) as target:
            outcome = harness.run(target.stack, fault.make(target), a.units, a.timeout,
                                  tag=fault.name[:6].upper(), rate=a.rate or None)
        print(f"  {outcome.summary()}", flush=True)
        return Row.of(fault.name, db, fault.what, outcome)
    except Exception as exc:  # noqa: BLE001 - one broken run must not hide the others
        traceback.print_exc()
        return Row(fault.name, db, fault.what, status="error", detail={"notes": [f"run failed: {exc!r}"[:500]]})


def main() -> int:
    a = _args()
    env = dict(kv.split("=", 1) for kv in a.env)
    rows = []
    for db in _dbs(a.db):
        for fault in _faults(a.only):
            print(f"{time.strftime('%H:%M:%S')} {fault.name} on {db}: {fault.what}, {a.units} units", flush=True)
            rows.append(_one(fault, db, a, env))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    header = (f"{a.units} units per fault, at most {a.rate or 'unlimited'}/s; commit {commit.stdout.strip() or '?'} "
              f"(plus the working tree); {time.strftime('%Y-%m-%d %H:%M')}; logs under {a.out / 'runs'}")
    write(rows, a.out, header)
    print("\n" + table(rows) + "\n\n" + details(rows) + f"\n\nreport: {a.out / 'report.md'}")
    return 1 if any(r.lost or r.duplicated or r.status == "error" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
