"""Kafka over TLS for the tests: a throwaway CA and certificates, and Debian's `stunnel` in front of Tansu.

Tansu's own TLS listener gets no handshake from aiokafka, so stunnel terminates TLS and forwards to Tansu's
plain listener. A Kafka client connects again to the address the broker advertises in its metadata, so Tansu is
started advertising stunnel's port: every connection, the bootstrap one and the follow-ups, goes through TLS.

Without `stunnel` the tests that need it skip, and fail when CI is set (.ci/run installs `stunnel4`).
"""
from __future__ import annotations

import datetime
import ipaddress
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shared.messaging.embedded_broker import EmbeddedBrokerUnavailable, port_open, tansu_binary
from tests.conftest import IN_CI
from tests.support.stack import free_port

KEY_PASSWORD = "client-key-passphrase"


def need_stunnel() -> str:
    """The stunnel binary; skips (fails under CI) without it or without the embedded broker."""
    try:
        tansu_binary()
    except EmbeddedBrokerUnavailable as exc:
        if IN_CI:
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    found = shutil.which("stunnel") or shutil.which("stunnel4")
    if found:
        return found
    reason = "stunnel not installed (Debian: apt-get install stunnel4): the Kafka TLS tests need it"
    if IN_CI:
        pytest.fail(f"{reason}; CI must run them")
    pytest.skip(reason)


@dataclass(frozen=True)
class Pki:
    """PEM files in ``dir``: a CA, the broker's certificate (127.0.0.1 and localhost) signed by it, a client
    certificate (its key encrypted with ``KEY_PASSWORD``) and another CA that signed nothing here."""
    dir: Path

    @property
    def ca(self) -> Path:
        return self.dir / "ca.pem"

    @property
    def wrong_ca(self) -> Path:
        return self.dir / "wrong-ca.pem"

    @property
    def server_cert(self) -> Path:
        return self.dir / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.dir / "server.key"

    @property
    def client_cert(self) -> Path:
        return self.dir / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.dir / "client.key"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bondline tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(cn: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(cn: str, ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate,
          server: bool) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server
                                                     else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                              critical=False))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey, password: str | None = None) -> None:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    path.chmod(0o600)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def make_pki(dir: Path) -> Pki:
    dir.mkdir(parents=True, exist_ok=True)
    pki = Pki(dir)
    ca_key, ca = _ca("bondline test CA")
    _write_cert(pki.ca, ca)
    _write_cert(pki.wrong_ca, _ca("some other CA")[1])
    server_key, server = _leaf("kafka.test", ca_key, ca, server=True)
    _write_cert(pki.server_cert, server)
    _write_key(pki.server_key, server_key)
    client_key, client = _leaf("bondline-intake", ca_key, ca, server=False)
    _write_cert(pki.client_cert, client)
    _write_key(pki.client_key, client_key, KEY_PASSWORD)
    return pki


@dataclass
class TlsBroker:
    """Tansu on a plain port of its own, advertising ``tls_port``, where stunnel accepts TLS and forwards to it.

    ``require_client_cert``: stunnel asks for a client certificate signed by the CA (mutual TLS, ``verify = 2``).
    """
    pki: Pki
    workdir: Path
    require_client_cert: bool = False
    plain_port: int = field(default_factory=free_port)
    tls_port: int = field(default_factory=free_port)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.tls_port}"

    def start(self) -> TlsBroker:
        stunnel = need_stunnel()
        self.workdir.mkdir(parents=True, exist_ok=True)
        plain = f"tcp://127.0.0.1:{self.plain_port}"
        with open(self.workdir / "broker.log", "ab") as out:
            self.procs.append(subprocess.Popen(
                [str(tansu_binary()), "broker", "--listener-url", plain,
                 "--advertised-listener-url", f"tcp://127.0.0.1:{self.tls_port}", "--storage-engine", "memory://tansu/"],
                stdout=out, stderr=subprocess.STDOUT))
        self._wait(self.plain_port, "tansu")
        conf = self.workdir / "stunnel.conf"
        verify = f"verify = 2\nCAfile = {self.pki.ca}\n" if self.require_client_cert else ""
        conf.write_text("foreground = yes\npid =\ndebug = notice\n"
                        f"[kafka]\naccept = 127.0.0.1:{self.tls_port}\nconnect = 127.0.0.1:{self.plain_port}\n"
                        f"cert = {self.pki.server_cert}\nkey = {self.pki.server_key}\n{verify}")
        with open(self.workdir / "stunnel.log", "ab") as out:
            self.procs.append(subprocess.Popen([stunnel, str(conf)], stdout=out, stderr=subprocess.STDOUT))
        self._wait(self.tls_port, "stunnel")
        return self

    def _wait(self, port: int, what: str, wait_s: float = 20.0) -> None:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.procs[-1].poll() is not None:
                self.stop()
                raise RuntimeError(f"{what} exited with code {self.procs[-1].returncode}: {self.log_tail()}")
            if port_open("127.0.0.1", port):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {wait_s}s: {self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        out = []
        for name in ("broker.log", "stunnel.log"):
            path = self.workdir / name
            if path.exists():
                out.append(f"--- {name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
