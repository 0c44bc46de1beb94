"""Issue 16 §4: two instances of every service; one instance of each is SIGKILLed mid-load.

Every service runs twice (API + relay + consumer in one process per instance) on the same PostgreSQL databases,
the same consumer groups and the same relay lease. Units are announced and declared in bulk, then received,
released and completed (beyond repair: the shortest legal path to a dispatch candidate) under load, spread over
both instances' APIs. A third of the way in, one instance of each service is SIGKILLed (for the services that
publish, the one holding the relay lease); the group gives its partitions to the survivor and the load carries on
against the survivors. Then every unit must reach dispatch (0 lost) and no effect may be doubled: one work order
(and one opening in its history, one ``opened`` event) per unit in repair; one candidate, one ledger line per
movement and one ``awaiting_dispatch`` event per unit in dispatch; each desk counter bumped once per unit; each key
event once in partners' journal.
"""
from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.bench.intake_api import NO_INSPECTIONS
from tests.conftest import _need_pg
from tests.e2e.flow import CLERK, TECH, unit_body
from tests.support import pg
from tests.support.intake import declaration_body, owner_body
from tests.support.scaled import Scaled
from tests.support.stack import NAMES, Broker

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
UNITS, RATE, WORKERS = 240, 12.0, 3  # 20 s of load; the kill comes after about a third of it
CONVERGE_S = 60.0                    # after the load, at most this long for the backlog to drain
PUBLISHERS = ("intake", "repair", "dispatch")
KEY_EVENTS = tuple(f"com.bondline.{t}.v1" for t in (
    "intake.unit.received", "intake.unit.released_to_repair", "repair.work_order.opened",
    "repair.work_order.completed", "dispatch.unit.awaiting_dispatch"))


@pytest.fixture
def scaled(broker: Broker, tmp_path: Path) -> Iterator[Scaled]:
    _need_pg()
    urls = {name: pg.create_database(f"bondline_e2e_{name}") for name in NAMES}
    s = Scaled(tmp_path, broker.bootstrap, urls, instances=2, extra_env=dict(NO_INSPECTIONS))
    try:
        yield s.start(timeout=90)
    finally:
        s.stop()
        for url in urls.values():
            pg.drop_database(url)


class Driver:
    """Requests spread over a service's live instances; a transport error or 5xx moves on to the next one."""

    def __init__(self, scaled: Scaled) -> None:
        self.scaled, self.client, self._n = scaled, httpx.Client(timeout=15), 0

    def send(self, name: str, method: str, path: str, patience_s: float = 60, **kw: Any) -> httpx.Response:
        deadline, last = time.monotonic() + patience_s, "no live instance"
        while time.monotonic() < deadline:
            urls = self.scaled.urls(name)
            if urls:
                self._n += 1
                try:
                    r = self.client.request(method, urls[self._n % len(urls)] + path, **kw)
                    if r.status_code < 500:
                        return r
                    last = f"{r.status_code} {r.text[:200]}"
                except httpx.TransportError as exc:
                    last = repr(exc)
            time.sleep(0.2)
        raise AssertionError(f"{method} {name} {path}: no answer for {patience_s:.0f}s: {last}")


def _stage(d: Driver, owner: str, n: int) -> list[dict[str, Any]]:
    """``n`` units announced and declared (two requests, not under measurement): ready to be received."""
    r = d.send("intake", "POST", "/v1/owners", headers=CLERK, json=owner_body(owner, tier="advanced_certified"))
    assert r.status_code in (201, 409), r.text
    r = d.send("intake", "POST", "/v1/repair-requests", headers=CLERK,
               json={"owner_id": owner, "origin": "KR", "units": [unit_body(f"{owner}-{i:04d}") for i in range(n)]})
    assert r.status_code == 201, r.text
    units = r.json()["units"]
    r = d.send("intake", "POST", "/v1/declarations", headers=CLERK, json=declaration_body([u["id"] for u in units]))
    assert r.status_code == 201 and not r.json()["inspection"]["selected"], r.text
    return units


def _intake_step(d: Driver, unit: dict[str, Any], path: str, body: Any, done: tuple[str, ...]) -> None:
    """One state move at intake; a refusal is fine when the unit is already past it (an earlier try committed
    on an instance that died before it answered)."""
    r = d.send("intake", "POST", f"/v1/units/{unit['id']}{path}", headers=CLERK, json=body)
    if r.status_code == 200:
        return
    state = d.send("intake", "GET", f"/v1/units/{unit['id']}", headers=CLERK).json()["unit"]["state"]
    assert state in done, f"{path} of {unit['id']}: {r.status_code} {r.text[:300]} (unit is {state})"


def _receive_and_release(d: Driver, unit: dict[str, Any]) -> None:
    _intake_step(d, unit, "/receipt", {"serial_number": unit["serial_number"], "part_number": unit["part_number"]},
                 ("received", "released_to_repair"))
    _intake_step(d, unit, "/release", None, ("released_to_repair",))


def _complete(d: Driver, wo: dict[str, Any]) -> None:
    """Queued or diagnosing -> beyond_repair (diagnosis, then close); each move judged by repair's answer."""
    base = f"/v1/work-orders/{wo['id']}"
    steps: dict[str, list[tuple[str, dict[str, Any] | None]]] = {"queued": [("/diagnosis/start", None)],
             "diagnosing": [("/diagnosis", {"failure_codes": ["RF-OUTPUT"], "findings": "driver stage burnt"}),
                            ("/complete", {"outcome": "beyond_repair", "note": "amplifier cracked"})]}
    for path, body in steps.get(wo["state"], []):
        r = d.send("repair", "POST", base + path, headers=TECH, json=body)
        if r.status_code not in (200, 201):
            return  # the state moved under us (a try on a dead instance committed): the next sweep reads it


class Load:
    """WORKERS threads receive and release the units at RATE a second at most; as many complete work orders."""

    def __init__(self, scaled: Scaled, owner: str, units: list[dict[str, Any]]) -> None:
        self.scaled, self.owner, self.units = scaled, owner, units
        self.released = 0
        self.errors: list[str] = []
        self.release_done, self.stop = threading.Event(), threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._release, args=(k,), daemon=True) for k in range(WORKERS)]
        self._threads += [threading.Thread(target=self._repair, args=(k,), daemon=True) for k in range(WORKERS)]

    def start(self) -> Load:
        self.t0 = time.monotonic()
        for t in self._threads:
            t.start()
        return self

    def _guard(self, what: str, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(f"{what}: {exc}"[:500])

    def _release(self, k: int) -> None:
        d = Driver(self.scaled)
        for i in range(k, len(self.units), WORKERS):
            if self.stop.wait(max(0.0, self.t0 + i / RATE - time.monotonic())):
                return
            self._guard(f"release {i}", partial(_receive_and_release, d, self.units[i]))
            with self._lock:
                self.released += 1
                if self.released == len(self.units):
                    self.ended_at = time.monotonic()
                    self.release_done.set()

    def _repair(self, k: int) -> None:
        d, found = Driver(self.scaled), [0]

        def sweep() -> None:
            r = d.send("repair", "GET", "/v1/work-orders", headers=TECH,
                       params={"owner_id": self.owner, "state": ["queued", "diagnosing"], "limit": 500})
            assert r.status_code == 200, r.text
            mine = [w for w in r.json() if hash(w["id"]) % WORKERS == k]
            for wo in mine:
                _complete(d, wo)
            found[0] = len(mine)

        while not self.stop.is_set():
            found[0] = 0
            self._guard("repair sweep", sweep)
            if not found[0]:
                self.stop.wait(0.3)

    def finish(self) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(30)


def _metric(url: str, name: str) -> list[tuple[dict[str, str], float]]:
    """Samples of one metric from a service's /metrics: (labels, value)."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = httpx.get(url + "/metrics", timeout=5).text
    except httpx.HTTPError:
        return []
    return [(s.labels, s.value) for f in text_string_to_metric_families(text) for s in f.samples if s.name == name]


def _lease_holder(scaled: Scaled, name: str) -> int:
    """The instance whose relay has published (holds the lease); instance 0 for a service that publishes nothing."""
    if name not in PUBLISHERS:
        return 0
    for n, s in enumerate(scaled.stacks):
        if sum(v for _, v in _metric(s.url(name), "bondline_outbox_published_total")) > 0:
            return n
    return 0


def _partitions(scaled: Scaled, name: str, n: int) -> dict[str, set[str]]:
    """consumer group -> the partitions instance ``n`` reports lag for (those assigned to it and fetched)."""
    out: dict[str, set[str]] = {}
    for labels, _ in _metric(scaled.stacks[n].url(name), "bondline_consumer_lag"):
        out.setdefault(labels["consumer"], set()).add(f"{labels['topic'].split('.')[1]}/{labels['partition']}")
    return out


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _tally(urls: dict[str, str], ids: list[str]) -> dict[str, Any]:
    """Per check, the number of units that pass it, plus the units with a doubled effect."""
    conns = {n: await asyncpg.connect(_dsn(u)) for n, u in urls.items() if n != "intake"}
    try:
        async def per_unit(name: str, sql: str, *args: Any) -> Counter[str]:
            return Counter({r[0]: r[1] for r in await conns[name].fetch(sql, ids, *args)})

        repair, dispatch, partners = conns["repair"], conns["dispatch"], conns["partners"]
        wos = await per_unit("repair", "SELECT unit_id, count(*) FROM work_orders WHERE unit_id = ANY($1) "
                                       "GROUP BY 1")
        closed = await per_unit("repair", "SELECT unit_id, count(*) FROM work_orders WHERE unit_id = ANY($1) "
                                          "AND state = 'beyond_repair' GROUP BY 1")
        openings = await per_unit("repair", "SELECT w.unit_id, count(*) FROM work_order_history h JOIN work_orders w "
                                            "ON w.id = h.work_order_id WHERE w.unit_id = ANY($1) "
                                            "AND h.from_state IS NULL GROUP BY 1")
        opened_events = await per_unit("repair", "SELECT key, count(*) FROM outbox WHERE key = ANY($1) AND type = $2 "
                                                 "GROUP BY 1", "com.bondline.repair.work_order.opened.v1")
        candidates = await per_unit("dispatch", "SELECT unit_id, count(*) FROM dispatch_items WHERE unit_id = ANY($1) "
                                                "AND kind = 'unit' AND state = 'awaiting_dispatch' GROUP BY 1")
        awaiting_events = await per_unit("dispatch", "SELECT key, count(*) FROM outbox WHERE key = ANY($1) "
                                                     "AND type = $2 GROUP BY 1",
                                         "com.bondline.dispatch.unit.awaiting_dispatch.v1")
        lines = Counter({(r[0], r[1]): r[2] for r in await dispatch.fetch(
            "SELECT item_id, movement, count(*) FROM ledger_lines WHERE item_id = ANY($1) GROUP BY 1, 2", ids)})
        desk = await per_unit("dispatch", "SELECT unit_id, count(*) FROM dash_items WHERE unit_id = ANY($1) "
                                          "AND stage = 'dispatch' AND state = 'awaiting_dispatch' GROUP BY 1")
        counters = {(r[0], r[1]): r[2] for r in await dispatch.fetch(
            "SELECT metric, k1, value FROM dash_counters WHERE metric IN ('origin', 'outcome')")}
        journal = Counter({(r[0], r[1]): r[2] for r in await partners.fetch(
            "SELECT unit_id, type, count(*) FROM journal WHERE unit_id = ANY($1) AND type = ANY($2) GROUP BY 1, 2",
            ids, list(KEY_EVENTS))})
        status = await per_unit("partners", "SELECT unit_id, count(*) FROM unit_status WHERE unit_id = ANY($1) "
                                            "AND stage = 'dispatch' AND state = 'awaiting_dispatch' GROUP BY 1")
        dup_inbox = {n: await c.fetchval("SELECT count(*) FROM (SELECT consumer, event_id FROM inbox "
                                         "GROUP BY 1, 2 HAVING count(*) > 1) d") for n, c in conns.items()}
        _ = repair
    finally:
        for c in conns.values():
            await c.close()
    movements = ("received", "transferred_out", "transferred_in")
    reached = {"work order": len(wos), "opening in its history": len(openings), "closed beyond repair": len(closed),
               "dispatch candidate": len(candidates),
               "awaiting_dispatch published": len(awaiting_events),
               "ledger lines": sum(all(lines[(u, m)] for m in movements) for u in ids),
               "desk at awaiting_dispatch": len(desk), "partners status awaiting_dispatch": len(status),
               "partners journal complete": sum(all(journal[(u, t)] for t in KEY_EVENTS) for u in ids)}
    doubled = {"work order": [u for u in ids if wos[u] > 1], "work order opening": [u for u in ids if openings[u] > 1],
               "opened event": [u for u in ids if opened_events[u] > 1],
               "awaiting_dispatch event": [u for u in ids if awaiting_events[u] > 1],
               "candidate": [u for u in ids if candidates[u] > 1],
               "ledger line": [u for u in ids if any(lines[(u, m)] > 1 for m in movements)],
               "journal entry": [u for u in ids if any(journal[(u, t)] > 1 for t in KEY_EVENTS)]}
    return {"reached": reached, "doubled": {k: v for k, v in doubled.items() if v}, "counters": counters,
            "inbox_duplicates": dup_inbox}


def _converged(t: dict[str, Any], n: int) -> bool:
    return all(v == n for v in t["reached"].values())


def test_two_instances_each_one_killed_mid_load_lose_and_double_nothing(scaled: Scaled) -> None:
    t_start = time.monotonic()
    owner = f"scale-{uuid.uuid4().hex[:6]}"
    units = _stage(Driver(scaled), owner, UNITS)
    ids = [u["id"] for u in units]
    urls = scaled.database_urls
    victims = {name: _lease_holder(scaled, name) for name in NAMES}  # intake's relay has published the staging
    load = Load(scaled, owner, units).start()
    try:
        deadline = time.monotonic() + 60
        while load.released < UNITS // 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        # repair's and dispatch's relays have published by now (reading /metrics takes a few seconds when busy)
        victims |= {name: _lease_holder(scaled, name) for name in ("repair", "dispatch")}
        before = {name: _partitions(scaled, name, victims[name]) for name in NAMES}
        killed_at = time.monotonic()
        for name in NAMES:
            scaled.kill(name, victims[name])
        print(f"\nkilled at {killed_at - load.t0:.1f}s into the load ({load.released} released): instance per "
              f"service {victims}; the victims' partitions: {before}")
        assert load.release_done.wait(120), f"releasing stalled: {load.released}/{UNITS}; {load.errors[:3]}"
        load_s = load.ended_at - load.t0
        # the repair workers keep completing work orders until every unit is a candidate, or the time is up
        deadline, tally = time.monotonic() + CONVERGE_S, {}
        while time.monotonic() < deadline:
            tally = asyncio.run(_tally(urls, ids))
            if _converged(tally, UNITS):
                break
            time.sleep(1.0)
        done_s = time.monotonic() - killed_at
    finally:
        load.finish()
    survivors = {name: 1 - victims[name] for name in NAMES}
    after = {name: _partitions(scaled, name, survivors[name]) for name in NAMES}
    duplicates = {name: sum(v for _, v in _metric(scaled.stacks[survivors[name]].url(name),
                                                   "bondline_events_duplicate_total")) for name in NAMES}
    took = time.monotonic() - t_start
    summary = (f"reached {tally.get('reached')} of {UNITS}; doubled {tally.get('doubled')}; desk counters "
               f"{tally.get('counters')}; inbox duplicates skipped by the survivors {duplicates}; survivors' "
               f"partitions {after}; load {load_s:.1f}s, converged {done_s:.1f}s after the kill, test {took:.0f}s"
               f"; loader errors {len(load.errors)}: {load.errors[:3]}")
    print(summary)
    assert _converged(tally, UNITS), f"not converged {CONVERGE_S:.0f}s after the load: {summary}\n" + "\n".join(
        f"--- {name} (survivor i{survivors[name]}):\n{scaled.log_tail(name, survivors[name], 8)}" for name in NAMES)
    assert not tally["doubled"], summary
    assert tally["counters"].get(("outcome", "beyond_repair")) == UNITS, summary
    assert sum(v for (m, _), v in tally["counters"].items() if m == "origin") == UNITS, summary
    assert not load.errors, summary
    for name in ("repair", "dispatch", "partners"):  # the test killed a consumer that had partitions
        assert any(before[name].values()), f"{name}'s killed instance had no partitions: {summary}"
