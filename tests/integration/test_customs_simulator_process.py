"""The customs SIMULATOR as a process, over HTTP: XML in, receipts out through the feed, controls, refusals."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from shared.contract.customs import xml
from shared.contract.customs.messages import Receipt, ReceiptKind
from tests.e2e.flow import eventually
from tests.support import customs
from tests.support.stack import ROOT, free_port

XML = {"content-type": "application/xml"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    port = free_port()
    env = os.environ | {"CUSTOMS_SIM_PORT": str(port), "CUSTOMS_SIM_RELEASE_DELAY_S": "0.3",
                        "CUSTOMS_SIM_RATES": '{"advanced_certified": 0, "certified": 0, "general": 0, '
                                             '"dishonest": 1, "seriously_dishonest": 1}'}
    proc = subprocess.Popen([sys.executable, "-m", "services.customs_simulator"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(url + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
    try:
        eventually(up, 30, "the simulator")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def feed(url: str, message_id: str) -> list[Receipt]:
    body = httpx.get(url + "/v1/receipts", params={"after": 0, "limit": 500}).json()
    assert body["simulated"] is True
    receipts = [xml.loads(item["receipt"].encode(), Receipt) for item in body["receipts"]]
    return [r for r in receipts if r.message_id == message_id]


def test_a_list_sent_as_xml_is_accepted_then_released_in_the_feed(simulator: str) -> None:
    m = customs.message()
    r = httpx.post(simulator + "/v1/messages", content=xml.dumps(m), headers=XML)
    assert r.status_code == 202 and r.headers["x-customs-simulator"].startswith("SIMULATED")
    got = eventually(lambda: len(feed(simulator, m.message_id)) == 2 and feed(simulator, m.message_id), 10,
                     "accepted and released")
    assert [x.kind for x in got] == [ReceiptKind.accepted, ReceiptKind.released]
    assert got[0].number and got[0].number.startswith("QD2244") and all(x.simulated for x in got)


def test_a_dishonest_owner_is_selected_for_inspection(simulator: str) -> None:
    httpx.post(simulator + "/v1/control", json={"enterprises": {customs.OWNER_CODE: "dishonest"}}).raise_for_status()
    m = customs.message()
    httpx.post(simulator + "/v1/messages", content=xml.dumps(m), headers=XML).raise_for_status()
    kinds = [x.kind for x in feed(simulator, m.message_id)]
    assert kinds[:2] == [ReceiptKind.accepted, ReceiptKind.inspection]
    httpx.post(simulator + "/v1/control", json={"enterprises": {customs.OWNER_CODE: "general"}}).raise_for_status()


def test_a_forced_rejection_comes_back_with_its_reason(simulator: str) -> None:
    httpx.post(simulator + "/v1/control", json={"reject_next": "HS code does not match the goods"}).raise_for_status()
    m = customs.message()
    httpx.post(simulator + "/v1/messages", content=xml.dumps(m), headers=XML).raise_for_status()
    (rejected,) = feed(simulator, m.message_id)
    assert rejected.kind is ReceiptKind.rejected and rejected.reason == "HS code does not match the goods"


def test_garbage_and_bad_controls_get_a_clear_4xx(simulator: str) -> None:
    r = httpx.post(simulator + "/v1/messages", content=b"<message>", headers=XML)
    assert r.status_code == 400 and "not a valid message: not well-formed XML" in r.json()["detail"]
    r = httpx.post(simulator + "/v1/control", json={"delay_next_s": -1})
    assert r.status_code == 422
    r = httpx.get(simulator + "/v1/receipts", params={"after": -1})
    assert r.status_code == 422
