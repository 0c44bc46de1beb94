"""Fill a dispatch database (PostgreSQL) with N units for the dashboard benchmark, in SQL (generate_series).

Per unit: a ``dash_items`` row, a ``dispatch_items`` row and 3 ``desk_timeline`` events (the desk's own read
models; the journal and unit status are the partners service's now); one old part per 10 units. The pre-aggregated
tables are then built from ``dash_items`` with the same definitions the desk's projection keeps
(service/dashboard.py: contributions), as its handlers would have left them; the ledger's running totals
(``ledger_totals``) as the ledger would have.
Stages: 15% intake, 15% repair, 15% dispatch, 55% left the zone; 500 owners; up to 900 days in stage.
"""
from __future__ import annotations

import asyncpg

STAGE = """CASE WHEN i % 20 < 3 THEN 'intake' WHEN i % 20 < 6 THEN 'repair' WHEN i % 20 < 9 THEN 'dispatch'
                ELSE 'left' END"""
DISPATCH_STATES = ("(ARRAY['awaiting_dispatch','destination_decided','exit_declared','customs_cleared',"
                   "'exchange_pool'])[(i / 20) % 5 + 1]")
STATE = f"""CASE WHEN i % 20 < 3 THEN 'received' WHEN i % 20 < 6 THEN 'in_repair' WHEN i % 20 < 9 THEN {DISPATCH_STATES}
                WHEN i % 2 = 0 THEN 'shipped' ELSE 'delivered' END"""
SINCE = "now() - make_interval(days => (i * 37) % 900, secs => i % 86400)"

ITEMS = f"""
INSERT INTO dash_items (item_id, kind, unit_id, owner_id, origin, stage, state, stage_since, received_at, due_kind,
                        due_at, outcome, destination, destination_country, updated_at)
SELECT 'u-' || lpad(i::text, 7, '0'), 'unit', 'u-' || lpad(i::text, 7, '0'), 'owner-' || (((i % 500) * 7919) % 500),
       CASE WHEN i % 4 = 0 THEN 'domestic' ELSE 'foreign' END, {STAGE}, {STATE}, {SINCE},
       {SINCE} - make_interval(days => CASE WHEN i % 20 < 3 THEN 0 ELSE 3 + i % 40 END),
       CASE WHEN i % 20 < 9 THEN 'bond' END,
       CASE WHEN i % 20 < 9 THEN {SINCE} - make_interval(days => CASE WHEN i % 20 < 3 THEN 0 ELSE 3 + i % 40 END) END,
       CASE WHEN i % 20 >= 6 THEN CASE WHEN i % 23 = 0 THEN 'beyond_repair' ELSE 'repaired' END END,
       CASE WHEN i % 20 >= 9 OR (i % 20 >= 6 AND (i / 20) % 5 > 0) THEN
            CASE WHEN i % 3 = 0 THEN 'domestic_release' ELSE 're_export' END END,
       CASE WHEN i % 20 >= 9 OR (i % 20 >= 6 AND (i / 20) % 5 > 0) THEN
            CASE WHEN i % 3 = 0 THEN 'CN' ELSE 'US' END END,
       now()
FROM generate_series(1, $1) AS i"""

OLD_PARTS = """
INSERT INTO dash_items (item_id, kind, unit_id, owner_id, origin, stage, state, stage_since, due_kind, due_at,
                        updated_at)
SELECT 'op-' || lpad(i::text, 7, '0'), 'old_part', 'u-' || lpad(i::text, 7, '0'),
       'owner-' || (((i % 500) * 7919) % 500),
       'foreign', CASE WHEN i % 50 < 10 THEN 'dispatch' ELSE 'left' END,
       CASE WHEN i % 50 < 10 THEN 'awaiting_dispatch' ELSE 'disposed' END, now() - make_interval(days => i % 30),
       CASE WHEN i % 50 < 10 THEN 'disposal' END,
       CASE WHEN i % 50 < 10 THEN now() + make_interval(days => (i % 120) - 30) END, now()
FROM generate_series(10, $1, 10) AS i"""

DISPATCH_ITEMS = """
INSERT INTO dispatch_items (item_id, kind, unit_id, owner_id, owner_group, state, serial_number, part_number, hs_code,
                            origin, origin_country, declared_value, currency, received_at, in_catalogue,
                            own_products_only, outcome, repair_fee, repair_currency, parts_used, awaiting_since,
                            exit_documents, tax, version, updated_by)
SELECT item_id, 'unit', unit_id, owner_id, 'g1',
       CASE WHEN stage IN ('intake', 'repair') THEN 'in_zone' WHEN state IN ('customs_cleared', 'exit_declared')
            THEN 'declared' WHEN state = 'destination_decided' THEN 'decided' ELSE state END,
       'SN-' || item_id, 'RF-GEN-3KW',
       '8486909000', origin, CASE WHEN origin = 'foreign' THEN 'KR' END, 42000, 'USD', received_at, true, false,
       outcome, CASE WHEN outcome IS NOT NULL THEN 1800 END, CASE WHEN outcome IS NOT NULL THEN 'CNY' END,
       '[]'::json, CASE WHEN stage IN ('dispatch', 'left') THEN stage_since END, '{}'::json, '{}'::json, 1, 'bench'
FROM dash_items WHERE kind = 'unit'"""

TIMELINE = """
INSERT INTO desk_timeline (event_id, unit_id, type, source, occurred_at, sequence, data)
SELECT 'e-' || item_id || '-' || k, unit_id, (ARRAY['com.bondline.intake.unit.announced.v1',
        'com.bondline.intake.unit.received.v1', 'com.bondline.repair.work_order.state_changed.v1'])[k],
       (ARRAY['/bondline/intake', '/bondline/intake', '/bondline/repair'])[k],
       received_at + make_interval(hours => k), k,
       json_build_object('owner_id', owner_id, 'serial_number', 'SN-' || unit_id, 'part_number', 'RF-GEN-3KW',
                         'hs_code', '8486909000', 'to_state', 'in_repair',
                         'documents', json_build_object('gate_pass', 'GP' || k || item_id))
FROM dash_items CROSS JOIN generate_series(1, 3) AS k WHERE kind = 'unit'"""

COUNTERS = """
INSERT INTO dash_counters (metric, k1, k2, value)
SELECT 'state', state, stage, count(*) FROM dash_items WHERE kind = 'unit' GROUP BY state, stage
UNION ALL SELECT 'stage', stage, '', count(*) FROM dash_items WHERE kind = 'unit' AND stage <> 'left' GROUP BY stage
UNION ALL SELECT 'owner', owner_id, stage, count(*) FROM dash_items
          WHERE kind = 'unit' AND stage <> 'left' GROUP BY owner_id, stage
UNION ALL SELECT 'outcome', outcome, '', count(*) FROM dash_items WHERE outcome IS NOT NULL GROUP BY outcome
UNION ALL SELECT 'origin', origin, '', count(*) FROM dash_items WHERE kind = 'unit' GROUP BY origin
UNION ALL SELECT 'destination', CASE WHEN destination_country = 'CN' THEN 'domestic' ELSE 'overseas' END, '', count(*)
          FROM dash_items WHERE destination IS NOT NULL GROUP BY 2
UNION ALL SELECT 'first_test', CASE WHEN i % 9 = 0 THEN 'failed' ELSE 'passed' END, '', count(*)
          FROM generate_series(1, $1) AS i WHERE i % 20 >= 6 GROUP BY 2"""

LEDGER_TOTALS = """
INSERT INTO ledger_totals (category, movement, bonded, quantity)
SELECT c, m, true, $1 FROM unnest(ARRAY['units_awaiting_repair', 'repaired_units', 'parts']) AS c,
       unnest(ARRAY['received', 'exported', 'released']) AS m"""

DAYS = """
INSERT INTO dash_days (series, day, value)
SELECT 'wip:' || stage, (stage_since AT TIME ZONE 'UTC')::date, count(*) FROM dash_items
       WHERE kind = 'unit' AND stage <> 'left' GROUP BY 1, 2
UNION ALL SELECT 'due:' || due_kind, (due_at AT TIME ZONE 'UTC')::date, count(*) FROM dash_items
       WHERE due_kind IS NOT NULL GROUP BY 1, 2"""

HISTOGRAM = """
INSERT INTO dash_histogram (metric, bucket, value)
SELECT 'turnaround_h', floor(extract(epoch FROM stage_since - received_at) / 3600)::int, count(*) FROM dash_items
WHERE state IN ('shipped', 'delivered') GROUP BY 2"""

SHIPMENTS = """
INSERT INTO shipments (id, carrier, tracking_number, destination_country, address, incoterm, state, history,
                       created_at, created_by, version)
SELECT 's-' || i, 'DHL', 'T' || i, 'US', 'x', 'DAP', CASE WHEN i % 4 = 0 THEN 'planned' ELSE 'delivered' END,
       '[]'::json,
       now() - make_interval(days => i % 300), 'bench', 1 FROM generate_series(1, 5000) AS i"""


async def seed(dsn: str, units: int, say: object = print) -> dict[str, float]:
    """Load the rows; returns seconds per step."""
    import time

    conn = await asyncpg.connect(dsn)
    took: dict[str, float] = {}
    try:
        for name, sql, args in (("dash_items", ITEMS, (units,)), ("old_parts", OLD_PARTS, (units,)),
                                ("dispatch_items", DISPATCH_ITEMS, ()), ("desk_timeline", TIMELINE, ()),
                                ("counters", COUNTERS, (units,)), ("ledger_totals", LEDGER_TOTALS, (units,)),
                                ("days", DAYS, ()), ("histogram", HISTOGRAM, ()), ("shipments", SHIPMENTS, ())):
            t0 = time.monotonic()
            await conn.execute(sql, *args)
            took[name] = round(time.monotonic() - t0, 1)
            say(f"bench: dashboard seed {name} {took[name]} s")  # type: ignore[operator]
        t0 = time.monotonic()
        await conn.execute("VACUUM ANALYZE")
        took["vacuum_analyze"] = round(time.monotonic() - t0, 1)
    finally:
        await conn.close()
    return took
