"""Prometheus metrics (``prometheus_client``), labelled so that label sets stay bounded.

Requests are labelled by ROUTE TEMPLATE (``/v1/customers/{customerId}``), never by raw path:
unknown paths share the label ``unmatched``, methods outside RFC 9110's set become ``OTHER``, so a
scan of random URLs cannot grow the series count.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
#: Seconds; dense below 10 ms where a gateway's own overhead lives.
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BUCKET_LABELS = (*(repr(b) for b in _BUCKETS), "+Inf")  # as prometheus_client writes them


class _RequestCollector(Collector):
    """Requests and their latency, counted without locks on the hot path.

    ``prometheus_client`` guards every ``inc``/``observe`` with a lock (a few microseconds per
    request, for threads the gateway does not have: it runs on one event loop). Here a request adds
    to plain Python numbers; the Prometheus families are built only when ``/metrics`` is scraped.
    """

    def __init__(self) -> None:
        #: (route, method label, status label) -> [count, sum of seconds, per-bucket counts]
        self.cells: dict[tuple[str, str, str], list[Any]] = {}

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "accord_gateway_requests",
            "Requests answered, by route template, method and status.",
            labels=["route", "method", "status"],
        )
        latency = HistogramMetricFamily(
            "accord_gateway_request_duration_seconds",
            "Time from request start to the last byte of the response, by route template and status.",
            labels=["route", "method", "status"],
        )
        for labels, (count, total, per_bucket) in sorted(self.cells.items()):
            requests.add_metric(labels, count)
            cumulative = list(itertools.accumulate(per_bucket))
            latency.add_metric(labels, list(zip(_BUCKET_LABELS, cumulative, strict=True)), total)
        yield requests
        yield latency


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self._requests = _RequestCollector()
        self.registry.register(self._requests)
        self.rejections = Counter(
            "accord_gateway_policy_rejections",
            "Requests refused by a policy, by policy and reason.",
            ["policy", "reason"],
            registry=self.registry,
        )
        self.backend_errors = Counter(
            "accord_gateway_backend_errors",
            "Decisions taken without the shared store (Redis) because it was unreachable.",
            ["backend", "mode"],
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "accord_gateway_upstream_errors",
            "Upstream calls that failed, by domain and kind (connect, timeout, protocol, circuit_open).",
            ["upstream", "kind"],
            registry=self.registry,
        )
        self.circuit_open = Gauge(
            "accord_gateway_circuit_open",
            "1 while the circuit breaker of an upstream is open.",
            ["upstream"],
            registry=self.registry,
        )
        self.response_violations = Counter(
            "accord_gateway_response_violations",
            "Upstream responses that did not conform to the contract, by route template.",
            ["route"],
            registry=self.registry,
        )
        self._cells: dict[tuple[str, str, int], list[Any]] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request (the only metric every request touches)."""
        cell = self._cells.get((route, method, status))
        if cell is None:
            cell = self._cell(route, method, status)
        cell[0] += 1
        cell[1] += seconds
        cell[2][bisect_left(_BUCKETS, seconds)] += 1

    def _cell(self, route: str, method: str, status: int) -> list[Any]:
        label_method = method if method in _METHODS else "OTHER"
        label_status = str(status) if 100 <= status <= 599 else "other"
        labels = (route, label_method, label_status)
        cell = self._requests.cells.get(labels)
        if cell is None:
            cell = self._requests.cells[labels] = [0, 0.0, [0] * (len(_BUCKETS) + 1)]
        if method in _METHODS and 100 <= status <= 599:  # bounded keys only
            self._cells[(route, method, status)] = cell
        return cell

    def rejected(self, policy: str, reason: str) -> None:
        self.rejections.labels(policy, reason).inc()

    def backend_error(self, backend: str, mode: str) -> None:
        self.backend_errors.labels(backend, mode).inc()

    def upstream_error(self, upstream: str, kind: str) -> None:
        self.upstream_errors.labels(upstream, kind).inc()

    def response_violation(self, route: str) -> None:
        self.response_violations.labels(route).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
