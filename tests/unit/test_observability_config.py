"""deploy/observability/: the dashboard and the alert rules parse as PromQL and are well-formed.

That every metric they name is exported by a running service is checked against real processes in
tests/e2e/test_observability.py."""
from __future__ import annotations

import pytest

from tests.support import promql

DASHBOARD, ALERTS = promql.dashboard_expressions(), promql.alert_expressions()


@pytest.mark.parametrize("where", sorted(DASHBOARD))
def test_every_dashboard_query_parses_and_reads_a_bondline_or_process_metric(where: str) -> None:
    names = promql.metric_names(DASHBOARD[where])
    assert names and all(n.startswith(("bondline_", "process_")) for n in names), names


@pytest.mark.parametrize("alert", sorted(ALERTS))
def test_every_alert_rule_parses_and_names_a_metric(alert: str) -> None:
    assert promql.metric_names(ALERTS[alert])


def test_the_rules_cover_what_operators_asked_for() -> None:
    used = {n for e in ALERTS.values() for n in promql.metric_names(e)}
    for metric in ("bondline_outbox_backlog", "bondline_outbox_oldest_unpublished_age_seconds",
                   "bondline_consumer_lag", "bondline_events_dead_lettered_total",
                   "bondline_webhook_endpoints_failing", "bondline_ready"):
        assert metric in used, f"no alert reads {metric}"


def test_a_broken_expression_is_refused_by_the_parser() -> None:
    with pytest.raises(ValueError):
        promql.metric_names("sum(rate(bondline_outbox_published_total[5m])")
