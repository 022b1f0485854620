"""Prometheus metrics (``prometheus_client``), labelled so that label sets stay bounded.

Requests are labelled by ROUTE TEMPLATE (``/v1/customers/{customerId}``), never by raw path:
unknown paths share the label ``unmatched``, methods outside RFC 9110's set become ``OTHER``, so a
scan of random URLs cannot grow the series count.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
#: Seconds; dense below 10 ms where a gateway's own overhead lives.
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "accord_gateway_requests",
            "Requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "accord_gateway_request_duration_seconds",
            "Time from request start to the last byte of the response, by route template and status.",
            ["route", "method", "status"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
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
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            label_method = method if method in _METHODS else "OTHER"
            label_status = str(status) if 100 <= status <= 599 else "other"
            children = (
                self.requests.labels(route, label_method, label_status),
                self.latency.labels(route, label_method, label_status),
            )
            if method in _METHODS:
                self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

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
