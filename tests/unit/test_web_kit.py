# ruff: noqa: RUF001 - the Chinese texts use full-width punctuation on purpose
"""The web kit (services/kit/web/) that the dispatch desk and the repair bench share: one site's paths and cookies,
its session table's shape, the language pick, the refusal explainer, the zone check; every site's catalogues carry
the kit's own messages."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import MetaData

from services.dispatch.db.tables import DeskSessionRow
from services.dispatch.web import i18n as desk_i18n
from services.dispatch.web.session import SITE as DESK
from services.kit.errors import DomainError, RuleViolation
from services.kit.web.i18n import KIT_MESSAGES
from services.kit.web.refusals import Explainer
from services.kit.web.session import session_table
from services.kit.web.zone import check_zone
from services.repair.web.site import CATALOGUES as BENCH_CATALOGUES
from services.repair.web.site import SITE as BENCH
from services.repair.web.site import Translator as BenchTranslator


def test_each_site_keeps_its_cookies_and_redirects_under_its_own_prefix() -> None:
    assert (DESK.cookie, DESK.lang_cookie, DESK.flow_cookie, DESK.login_path) == \
        ("desk_session", "desk_lang", "desk_oidc", "/desk/login")  # what the desk always used
    assert (BENCH.cookie, BENCH.auth_prefix, BENCH.login_path) == ("bench_session", "/bench/auth", "/bench/login")
    assert BENCH.local("/bench/work-orders/1?done=x") == "/bench/work-orders/1?done=x"
    for outside in ("/desk", "//evil.example/bench", "https://evil.example/", "/benchmark", ""):
        assert BENCH.local(outside) == "/bench", outside


def test_the_kits_session_table_has_the_shape_of_the_desks() -> None:
    made = session_table(MetaData(), "x_sessions")
    desk = DeskSessionRow.__table__
    assert [(c.name, str(c.type), c.nullable, c.primary_key) for c in made.columns] == \
        [(c.name, str(c.type), c.nullable, c.primary_key) for c in desk.columns]
    assert [list(i.columns.keys()) for i in made.indexes] == [["expires_at"]]


@pytest.mark.parametrize("catalogues", [desk_i18n.CATALOGUES, BENCH_CATALOGUES], ids=["desk", "bench"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_site_carries_the_kits_messages(catalogues, lang) -> None:  # type: ignore[no-untyped-def]
    missing = [m for m in KIT_MESSAGES if not catalogues.messages(lang).get(m)]
    assert not missing, f"{catalogues.path(lang)} lacks {missing}"


def request(cookies: dict[str, str] | None = None, accept: str = "") -> SimpleNamespace:
    return SimpleNamespace(cookies=cookies or {}, headers={"accept-language": accept})


def test_the_language_is_the_cookies_then_the_browsers_by_weight_then_english() -> None:
    pick = BENCH_CATALOGUES.pick
    assert pick(request({"bench_lang": "zh"}, "en")) == "zh"  # type: ignore[arg-type]
    assert pick(request({"desk_lang": "zh"}, "en")) == "en", "another site's cookie is not this one's"  # type: ignore[arg-type]
    assert pick(request(accept="fr;q=1, zh-CN;q=0.8, en;q=0.5")) == "zh"  # type: ignore[arg-type]
    assert pick(request(accept="fr, de;q=x")) == "en"  # type: ignore[arg-type]


def test_the_explainer_says_a_pattern_else_the_field_else_the_services_words() -> None:
    explainer = Explainer([("refusal.short", r"^only (?P<got>\d+) of (?P<quantity>\d+) x (?P<part>\S+) can be drawn "
                                             r"for work order \S+ \((?P<availability>\w+)\)")],
                          {"availability": lambda t, a: t.label("availability", a)})
    t = BenchTranslator("zh")
    said = explainer.explain(DomainError("only 1 of 5 x PN-V can be drawn for work order w (short); nothing"), t)
    assert said.translated and said.text == "PN-V 仅能领用 1 件，需 5 件（缺货）；未领用任何备件。"
    said = explainer.explain(RuleViolation("quantity clashes", field="quantity"), t)
    assert not said.translated and said.text == "数量：quantity clashes"
    assert explainer.explain(DomainError("new"), t).text == "new"


def test_an_unknown_zone_is_refused_with_what_to_use() -> None:
    assert check_zone("Asia/Shanghai") == "Asia/Shanghai"
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus': use an IANA name"):
        check_zone("Mars/Olympus")
