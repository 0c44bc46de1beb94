"""The fault table: printed, and written to var/faults/report.md and report.json."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults.harness import Outcome


@dataclass
class Row:
    fault: str
    db: str
    what: str
    status: str = "ran"  # ran | n/a | error
    driven: int | None = None
    lost: int | None = None
    duplicated: int | None = None
    recover_s: float | None = None
    settle_s: float | None = None
    detail: dict = field(default_factory=dict)

    @classmethod
    def of(cls, fault: str, db: str, what: str, o: Outcome) -> Row:
        t = o.tally
        detail = {"lost": t.lost, "duplicated": t.duplicated, "load_s": o.load_s, "slowest_release_s": o.slowest_s,
                  "loader_errors": o.loader_errors[:20], "notes": o.notes}
        return cls(fault, db, what, driven=t.driven, lost=t.lost_units, duplicated=t.duplicated_units,
                   recover_s=o.recover_s, settle_s=o.settle_s, detail=detail)


HEAD = ("fault", "db", "driven", "lost", "duplicated", "recover s", "settle s")


def _cells(r: Row) -> tuple[str, ...]:
    if r.status != "ran":
        return (r.fault, r.db, r.status, "-", "-", "-", "-")
    s = lambda v: "never" if v is None else f"{v:.0f}"  # noqa: E731
    return (r.fault, r.db, str(r.driven), str(r.lost), str(r.duplicated), s(r.recover_s), s(r.settle_s))


def table(rows: list[Row]) -> str:
    lines = [HEAD, *map(_cells, rows)]
    width = [max(len(line[i]) for line in lines) for i in range(len(HEAD))]
    fmt = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, width, strict=True)) + " |"  # noqa: E731
    return "\n".join([fmt(HEAD), "|" + "|".join("-" * (w + 2) for w in width) + "|", *map(fmt, lines[1:])])


def details(rows: list[Row]) -> str:
    out = []
    for r in rows:
        d = r.detail
        out.append(f"- **{r.fault} / {r.db}** ({r.what}): lost {d.get('lost') or 0}, duplicated "
                   f"{d.get('duplicated') or 0}, load {d.get('load_s', '-')} s, slowest release "
                   f"{d.get('slowest_release_s', '-')} s")
        out += [f"  - {n}" for n in r.detail.get("notes", [])]
        out += [f"  - loader: {e[:300]}" for e in r.detail.get("loader_errors", [])[:5]]
    return "\n".join(out)


def write(rows: list[Row], out_dir: Path, header: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps({"header": header, "rows": [r.__dict__ for r in rows]},
                                                    indent=2, default=str))
    (out_dir / "report.md").write_text(f"# Fault run\n\n{header}\n\n{table(rows)}\n\n"
                                       "recover s: from the end of the fault until the last unit completed; "
                                       "settle s: from the end of the load. never: not every unit completed "
                                       "within the wait.\n\n" + details(rows) + "\n")
