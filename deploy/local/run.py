"""`make run`: embedded broker (unless KAFKA_BOOTSTRAP_SERVERS is set), topics, the four services and the customs
platform SIMULATOR (unless BONDLINE_CUSTOMS_SIMULATOR=false).

Ctrl-C stops everything this started. Settings: see the README's settings table.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from services.kit.runtime import kafka_security
from services.kit.settings import CommonSettings, load
from shared.contract.topics import all_topics_with_dead_letters
from shared.messaging import embedded_broker, kafka

ROOT = Path(__file__).resolve().parents[2]
SERVICES = (("intake", 8001), ("repair", 8002), ("dispatch", 8003), ("partners", 8004))
SIMULATOR_PORT = 8009  # CUSTOMS_SIM_PORT


def main() -> int:
    var = Path(os.environ.get("BONDLINE_VAR_DIR", ROOT / "var")).resolve()
    (var / "log").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, BONDLINE_VAR_DIR=str(var))
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    try:
        broker = _broker(env, var)
        if broker is not None:
            children.append(("broker", broker))
        bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
        # the services' own KAFKA_SECURITY_PROTOCOL / KAFKA_SSL_* / KAFKA_SASL_* settings, for a secured cluster
        security = kafka_security(load(CommonSettings))
        asyncio.run(kafka.ensure_topics(kafka.KafkaConfig(bootstrap_servers=bootstrap, security=security),
                                        all_topics_with_dead_letters()))
        simulator = env.get("BONDLINE_CUSTOMS_SIMULATOR", "true").lower() not in ("0", "false", "no")
        if simulator:  # intake's entry and dispatch's exit filings go there unless pointed at another platform
            for service in ("INTAKE", "DISPATCH"):
                env.setdefault(f"{service}_CUSTOMS_PLATFORM_URL", _url("customs_sim", SIMULATOR_PORT, env))
        for name, _port in SERVICES:
            children.append((name, _service(name, env, var)))
        urls = {name: _url(name, port, env) for name, port in SERVICES}
        if simulator:
            children.append(("customs_simulator", _service("customs_simulator", env, var)))
            urls["customs_simulator"] = _url("customs_sim", SIMULATOR_PORT, env)
        _wait_ready(urls, children)
        _banner(urls, bootstrap, broker is not None, var)
        return _supervise(children)
    except embedded_broker.EmbeddedBrokerUnavailable as exc:
        print(f"bondline: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(children)


def _broker(env: dict[str, str], var: Path) -> subprocess.Popen[bytes] | None:
    if env.get("KAFKA_BOOTSTRAP_SERVERS"):
        print(f"using the Kafka cluster at {env['KAFKA_BOOTSTRAP_SERVERS']} (no embedded broker)")
        return None
    port = int(env.get("BONDLINE_EMBEDDED_BROKER_PORT", "9092"))
    proc = embedded_broker.start(port, log_path=var / "log" / "broker.log")
    env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{port}"
    print(f"embedded broker (Tansu, in memory) on 127.0.0.1:{port}")
    return proc


def _service(name: str, env: dict[str, str], var: Path) -> subprocess.Popen[bytes]:
    # The child gets its own copy of the descriptor; the parent's handle is closed once the child is started.
    with open(var / "log" / f"{name}.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-m", f"services.{name}"], env=env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)


def _url(name: str, port: int, env: dict[str, str]) -> str:
    prefix = name.upper()
    host = env.get(f"{prefix}_HOST", "127.0.0.1")
    return env.get(f"{prefix}_PUBLIC_URL") or f"http://{host}:{env.get(f'{prefix}_PORT', port)}"


def _wait_ready(urls: dict[str, str], children: list, timeout: float = 90) -> None:
    deadline, pending = time.monotonic() + timeout, dict(urls)
    while pending and time.monotonic() < deadline:
        for name, proc in children:
            if proc.poll() is not None:
                raise SystemExit(f"bondline: {name} exited with code {proc.returncode}; see var/log/{name}.log")
        for name, url in list(pending.items()):
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=2) as r:
                    if r.status == 200:
                        del pending[name]
            except OSError:
                pass
        time.sleep(0.3)
    if pending:
        print(f"warning: not ready after {timeout:.0f}s: {', '.join(pending)} (see var/log/)")


def _banner(urls: dict[str, str], bootstrap: str, embedded: bool, var: Path) -> None:
    print("\nbondline is running")
    for name, url in urls.items():
        if name != "customs_simulator":
            print(f"  {name:9} {url}/docs   (API docs; health {url}/readyz, metrics {url}/metrics)")
    if "customs_simulator" in urls:
        print(f"  customs   {urls['customs_simulator']}/docs   (the customs platform SIMULATOR, not customs: every "
              "receipt it issues is marked simulated)")
    print(f"  desk      {urls['dispatch']}/desk   (the dispatch desk's dashboard in the browser; sign in with the "
          "token of a dispatcher or customs officer: make token ROLE=dispatcher)")
    print(f"  bench     {urls['repair']}/bench   (the technicians' repair bench; sign in with the token of a "
          "technician: make token ROLE=technician)")
    print(f"  owners    {urls['partners']}/v1/owner/units   (the owners' API, feed and webhooks: a partner token, "
          "make token ROLE=partner PARTNER=<owner id>)")
    print(f"  broker    {bootstrap}{' (embedded)' if embedded else ''}")
    print(f"  data      {var} (SQLite unless <SERVICE>_DATABASE_URL is set); logs in {var}/log/")
    print("\nGet a token:  make token ROLE=intake_clerk   (roles: intake_clerk, technician, dispatcher,"
          " customs_officer, compliance_officer, admin; partner needs PARTNER=<owner id>)")
    print("Use it:       curl -H \"Authorization: Bearer $TOKEN\" " + urls["dispatch"] + "/v1/candidates")
    print("Try the flow: make demo        Stop: Ctrl-C\n", flush=True)


def _supervise(children: list[tuple[str, subprocess.Popen[bytes]]]) -> int:
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    # Ctrl-C stops everything even when started from a shell that ignores SIGINT for background jobs
    signal.signal(signal.SIGINT, signal.default_int_handler)
    while True:
        for name, proc in children:
            if proc.poll() is not None:
                print(f"bondline: {name} exited with code {proc.returncode}; stopping", file=sys.stderr)
                return 1
        time.sleep(0.5)


def _stop(children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    for _, proc in reversed(children):
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 15
    for _, proc in children:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
    if children:
        print("bondline: stopped")


if __name__ == "__main__":
    sys.exit(main())
