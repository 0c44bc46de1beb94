"""Each service's command line: all (default) | api | relay | consumer | migrate | replay | rebuild."""
from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Callable
from datetime import datetime, timezone

import prometheus_client
import uvicorn
from fastapi import FastAPI

from services.kit import logs, projections, telemetry
from services.kit.runtime import Runtime, ServiceDefinition, settle_gc
from shared.messaging.relay import replay


def main(define: Callable[[], ServiceDefinition], build_app: Callable[[Runtime, bool, bool], FastAPI]) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("command", nargs="?", default="all",
                   choices=["all", "api", "relay", "consumer", "migrate", "replay", "rebuild"])
    p.add_argument("--since", help="replay: ISO time; outbox rows created since are published again")
    p.add_argument("--projection", help="rebuild: the read model to rebuild from the topics (default: all)")
    args = p.parse_args()
    d = define()
    c = d.common
    logs.configure(d.name, d.settings.log_level, logs.choose_format(c.bondline_log_format, c.bondline_env),
                   secrets=[c.bondline_jwt_secret])
    telemetry.configure(d.name, args.command, d.common.bondline_traces_dir)
    rt = Runtime(d)
    rt.migrate()
    if args.command == "migrate":
        return
    if args.command == "replay":
        asyncio.run(_replay(rt, args.since))
        return
    if args.command == "rebuild":
        asyncio.run(_rebuild(rt, args.projection))
        return
    if args.command in ("relay", "consumer"):
        asyncio.run(_workers(rt, relay=args.command == "relay", consumer=args.command == "consumer"))
        return
    run_workers = args.command == "all"
    app = build_app(rt, run_workers and d.settings.run_relay, run_workers and d.settings.run_consumer)
    uvicorn.run(app, host=d.settings.host, port=d.settings.port, log_level=d.settings.log_level.lower(),
                access_log=False, log_config=None)


async def _workers(rt: Runtime, relay: bool, consumer: bool) -> None:
    port = rt.d.settings.metrics_port
    if port is not None:  # no API in this process: its own metrics on a port of their own
        prometheus_client.start_http_server(port, addr=rt.d.settings.host, registry=rt.registry)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    settle_gc()
    await rt.run_workers(stop, relay, consumer)
    await rt.dispose()


async def _replay(rt: Runtime, since: str | None) -> None:
    if not since:
        raise SystemExit("replay needs --since <ISO time>")
    when = datetime.fromisoformat(since)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    n = await replay(rt.sessions, rt.d.outbox, when)
    print(f"{n} outbox rows marked for re-publication")
    await rt.dispose()


async def _rebuild(rt: Runtime, name: str | None) -> None:
    """Empty a projection's read model and start its next generation, which replays the topics from the start.

    Run it with the service's consumers stopped: a running consumer keeps its old group until it restarts."""
    chosen = [p for p in rt.d.projections if name in (None, p.name)]
    if not chosen or rt.d.projections_table is None:
        known = ", ".join(p.name for p in rt.d.projections) or "none"
        raise SystemExit(f"no projection {name!r} in {rt.d.name} (its projections: {known})")
    for p in chosen:
        generation = await projections.rebuild(rt.sessions, rt.d.projections_table, p)
        print(f"{rt.d.name}: projection {p.name} emptied; generation {generation} "
              f"(group {projections.group(rt.d.name, p.name, generation)}) replays the topics when the consumer starts")
    await rt.dispose()
