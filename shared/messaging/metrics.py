"""Prometheus instruments for the relay and the consumer (one registry per process)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class MessagingMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = registry or CollectorRegistry()
        self.registry = r
        self.published = Counter("bondline_outbox_published", "Outbox rows published", registry=r)
        self.publish_failures = Counter("bondline_outbox_publish_failures", "Failed publish attempts", registry=r)
        self.consumed = Counter("bondline_events_consumed", "Events handled and committed",
                                ["consumer", "type"], registry=r)
        self.duplicates = Counter("bondline_events_duplicate", "Events skipped by the inbox",
                                  ["consumer"], registry=r)
        self.failed = Counter("bondline_events_failed", "Handler attempts that raised",
                              ["consumer"], registry=r)
        self.dead_lettered = Counter("bondline_events_dead_lettered", "Events sent to the dead-letter path",
                                     ["consumer"], registry=r)
        self.client_rebuilds = Counter("bondline_kafka_client_rebuilds", "Kafka clients rebuilt after failures",
                                       ["role"], registry=r)
        self.gaps_recovered = Counter("bondline_event_gaps_recovered",
                                      "Gaps in a producer's sequence filled from its outbox",
                                      ["consumer", "source"], registry=r)
        self.events_recovered = Counter("bondline_events_recovered", "Missed events fetched from their producer",
                                        ["consumer", "source"], registry=r)
        self.gaps_lost = Counter("bondline_event_gaps_lost", "Gaps the producer could no longer fill (past retention)",
                                 ["consumer", "source"], registry=r)
        self.events_lost = Counter("bondline_events_lost", "Events lost for good (gone from broker and outbox)",
                                   ["consumer", "source"], registry=r)
        self.lag = Gauge("bondline_consumer_lag", "Records in the partition past the consumer's position "
                         "(partition end minus position), per group and partition", ["consumer", "topic", "partition"],
                         registry=r)
        self.handle_seconds = Histogram("bondline_event_handle_seconds", "Time to handle one event",
                                        ["consumer"], registry=r)
