"""Trade compliance's domain (issue 19): classifications and exact country rules, fuzzy party matching in Chinese
and Latin (true hits, near misses that must not hit), holds and their release, and screening again."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from services.dispatch.db.compliance_codec import lists_of
from services.dispatch.domain.compliance_lists import (
    Classification,
    ComplianceLists,
    Control,
    CountryRule,
    ListsEdit,
    RestrictedParty,
)
from services.dispatch.domain.holds import Hold, HoldStatus, Licence, reconcile
from services.dispatch.domain.screening import Goods, Party, screen_country, screen_party
from services.kit.errors import Conflict, RuleViolation

SEED = Path(__file__).resolve().parents[2] / "services" / "dispatch" / "reference" / "compliance_lists.json"
LISTS = lists_of(1, json.loads(SEED.read_text())).checked()
NOW = datetime(2026, 12, 3, 8, tzinfo=timezone.utc)
US_PART = Goods(part_number="0040-86372", hs_code="8486909000", origin_country="US")


def parties(name: str, address: str = "") -> list[str]:
    return [h.entry["entry_id"] for h in screen_party(LISTS, Party(name, address))]


# --- countries: exact rules per classification -------------------------------------------------------------------

def test_a_us_origin_part_to_a_licence_country_is_a_licence_hit_and_to_an_embargoed_one_prohibited():
    [hk] = screen_country(LISTS, US_PART, "HK")
    assert (hk.control, hk.entry["classification"], hk.entry["country"]) == ("licence_required", "3B991", "HK")
    assert "3B991" in hk.reason and "HK" in hk.reason
    [ru] = screen_country(LISTS, US_PART, "RU")
    assert ru.control == "prohibited" and ru.key == "country:3B991:RU:prohibited"


def test_allowed_destinations_other_origins_and_unclassified_goods_do_not_hit():
    assert screen_country(LISTS, US_PART, "DE") == [] and screen_country(LISTS, US_PART, "US") == []
    assert screen_country(LISTS, Goods("P", "8486909000", "KR"), "RU") == []   # the EAR rows control US origin only
    assert screen_country(LISTS, Goods("P", "8414100090", "US"), "RU") == []   # a vacuum pump: not classified
    assert screen_country(LISTS, US_PART, None) == []                          # stays in the zone


def test_part_number_wins_over_hs_prefix_and_the_longest_prefix_wins():
    lists = ComplianceLists(
        classifications=(Classification("hs_prefix", "8486", "EAR99", "EAR"),
                         Classification("hs_prefix", "848690", "3B991", "EAR"),
                         Classification("part_number", "0040-86372", "3B001", "EAR")),
        country_rules=(CountryRule("3B001", "*", Control.licence_required),
                       CountryRule("3B001", "DE", Control.allowed)))
    assert lists.classify("X", "8486909000", "US").code == "3B991"   # type: ignore[union-attr]
    assert lists.classify("0040-86372", "8486909000", "US").code == "3B001"   # type: ignore[union-attr]
    [any_country] = screen_country(lists, US_PART, "JP")
    assert "every country" in any_country.reason
    assert screen_country(lists, US_PART, "DE") == []   # a country's own rule beats the wildcard


def test_lists_that_contradict_themselves_are_refused_with_what_is_wrong():
    edit = ListsEdit("admin:a", "test", date(2026, 12, 1))
    with pytest.raises(RuleViolation, match="no classification has that code"):
        LISTS.next_version(edit, country_rules=(CountryRule("9Z999", "RU", Control.prohibited),))
    with pytest.raises(RuleViolation, match="unknown ISO 3166 country 'XX'"):
        LISTS.next_version(edit, parties=(RestrictedParty("p", "L", "N", countries=("XX",)),))
    with pytest.raises(RuleViolation, match="appears twice"):
        LISTS.next_version(edit, parties=(RestrictedParty("p", "L", "A"), RestrictedParty("p", "L", "B")))
    new = LISTS.next_version(edit, parties=LISTS.without_party("EL-SMIC"))
    assert new.version == 2 and new.source == "test" and "EL-SMIC" not in [p.id for p in new.parties]
    with pytest.raises(RuleViolation, match="no restricted party"):
        new.without_party("EL-SMIC")


# --- parties: fuzzy, normalised, in both scripts -----------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES CO LTD", "Hua Wei Technologies", "华为技术有限公司",
    "华为技术有限公司（深圳）",  # noqa: RUF001 - full-width brackets, as Chinese names are written
    "Huawei Device Co., Ltd.", "华为终端有限公司", "Huawei Technologies Co Limited",
])
def test_true_hits_on_a_listed_name_in_latin_and_chinese(name: str):
    assert parties(name) == ["EL-HUAWEI"]


@pytest.mark.parametrize("name", [
    "中芯国际集成电路制造（北京）有限公司",  # noqa: RUF001 - full-width brackets, as Chinese names are written
    "中芯国际", "SMIC", "Semiconductor Manufacturing International Corp.",
    "Zhongxin Guoji", "SMIC Northern Integrated Circuit Manufacturing",
])
def test_cross_script_hits_chinese_entry_latin_name_and_back(name: str):
    assert parties(name) == ["EL-SMIC"]


@pytest.mark.parametrize("name", [
    "Huaxin Technologies Co., Ltd.",           # one syllable apart in Latin
    "华维电子有限公司",                           # 华维 is not 华为: compared in characters, not in pinyin
    "中兴通讯股份有限公司",                        # 中兴 is not 中芯
    "Semiconductor Manufacturing Services GmbH",
    "Shanghai Precision Tools Co., Ltd.",
    "Example Trading Co., Ltd.",               # shares generic words with a listed name, not the name
    "Samsung Electronics",
])
def test_near_misses_do_not_hit(name: str):
    assert parties(name) == []


def test_a_listed_address_hits_under_another_name_and_the_hit_names_the_entry():
    [hit] = screen_party(LISTS, Party("Harbour Star Logistics", "Unit 9, 1 Sample Street, Kowloon, Hong Kong"))
    assert hit.entry["entry_id"] == "SAMPLE-DPL-1" and hit.control == "prohibited" and "address" in hit.reason
    assert hit.entry["list_name"] == "Denied Persons List (sample)" and hit.entry["score"] >= LISTS.match_threshold


def test_the_threshold_is_the_operators():
    edit = ListsEdit("admin:a", "t", date(2026, 12, 1))
    lists = LISTS.next_version(edit, parties=(RestrictedParty("P-1", "Entity List", "Müller Präzision GmbH"),))
    [hit] = screen_party(lists, Party("Mueller Praezision AG"))   # accents folded one way, spelled out the other
    assert 90 <= hit.entry["score"] < 100
    assert screen_party(lists.next_version(edit, match_threshold=100), Party("Mueller Praezision AG")) == []


# --- holds ---------------------------------------------------------------------------------------------------------

def _hold(country: str = "HK", name: str | None = None) -> Hold:
    hit = screen_party(LISTS, Party(name))[0] if name else screen_country(LISTS, US_PART, country)[0]
    return Hold("h1", "item", "i1", hit, "decision", 1, NOW, "dispatcher:d")


def test_a_licence_hold_needs_a_valid_licence_and_a_prohibited_destination_is_never_released():
    h = _hold("HK")
    with pytest.raises(RuleViolation, match="needs the licence"):
        h.release("licence", "granted", None, "compliance_officer:c", NOW)
    with pytest.raises(RuleViolation, match="not valid today"):
        h.release("licence", "granted", Licence("L-1", date(2026, 1, 1)), "compliance_officer:c", NOW)
    with pytest.raises(RuleViolation, match="no false positive"):
        h.release("false_positive", "not us", None, "compliance_officer:c", NOW)
    h.release("licence", "granted", Licence("L-1", date(2027, 6, 30), date(2026, 12, 1)), "compliance_officer:c", NOW)
    assert h.status is HoldStatus.released and h.closure and h.closure.licence and h.closure.licence.number == "L-1"
    with pytest.raises(Conflict, match="only an open hold"):
        h.release("licence", "again", Licence("L-1", date(2027, 6, 30)), "compliance_officer:c", NOW)
    with pytest.raises(Conflict, match="prohibited destination is never released"):
        _hold("RU").release("licence", "x", Licence("L-2", date(2027, 1, 1)), "compliance_officer:c", NOW)


def test_a_party_hold_is_released_as_a_false_positive_a_prohibited_party_never_by_licence():
    h = _hold(name="Example Denied Trading Co., Ltd.")
    with pytest.raises(RuleViolation, match="not released by a licence"):
        h.release("licence", "x", Licence("L-3", date(2027, 1, 1)), "compliance_officer:c", NOW)
    with pytest.raises(RuleViolation, match="needs a reason"):
        h.release("false_positive", "  ", None, "compliance_officer:c", NOW)
    h.release("false_positive", "different company, other registration number", None, "compliance_officer:c", NOW)
    assert h.status is HoldStatus.released


def test_screening_again_keeps_covered_hits_clears_stale_holds_and_holds_again_when_a_licence_expired():
    h = _hold("HK")
    [hit] = screen_country(LISTS, US_PART, "HK")
    assert reconcile([h], [hit], NOW.date()) == ([], [])                      # still open: nothing new
    assert reconcile([h], [], NOW.date()) == ([], [h])                        # no longer matches: clear it
    h.release("licence", "granted", Licence("L-1", date(2027, 1, 31)), "compliance_officer:c", NOW)
    assert reconcile([h], [hit], NOW.date()) == ([], [])                      # the licence covers it
    [again], stale = reconcile([h], [hit], date(2027, 2, 1))
    assert stale == [] and "licence L-1 expired on 2027-01-31" in again.reason
    [prohibited] = screen_country(LISTS, US_PART, "RU")
    assert reconcile([h], [prohibited], NOW.date())[0] == [prohibited]      # another finding: a hold of its own
    h2 = _hold("HK")
    h2.clear("decision amended", "dispatcher:d", NOW + timedelta(hours=1))
    assert reconcile([h2], [hit], NOW.date()) == ([hit], [])                 # a cleared hold covers nothing
