"""Gateway benchmark: the policy gateway against a direct call and two ~30-line pass-throughs.

Everything runs on this machine, each server in its own process (uvicorn, uvloop, httptools):
an upstream answering 1 KB of JSON, a pass-through with a pooled aiohttp client, the same with a
pooled httpx client, and ``accord gateway serve`` with JWT auth (RS256), a Redis rate limit (high
enough never to throttle) and request validation of a ~4 KB order body -- twice: with the default
upstream client and with ``upstream.client: aiohttp``. Every path gets the same POST. Load: ``wrk``
with 8 connections for a bounded duration (Debian's wrk unpacked into benchmarks/.cache on demand when
it is not on PATH; a bounded aiohttp load generator when neither works),
in ``ACCORD_BENCH_ROUNDS`` interleaved rounds (every configuration once per round); ratios are
taken within a round and their median reported, with the CPU each serving process spent per
request (which moves less with the machine's load than requests per second do). The upstream app is
also served by accord.serve (the gateway's own HTTP server) to compare the two servers' cost. Then the CPU per
request of each upstream client, and micro-benchmarks of each policy's decision in microseconds.

Targets (issue): gateway >= 0.8x the aiohttp pass-through, <= 2.5 ms added p99 over direct, >= 10x
the httpx pass-through; validation ~20 us for 4 KB; Redis decision ~0.15 ms.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import orjson

from benchmarks._common import ROOT, cache_dir, parse_wrk, wrk_command

DURATION = int(os.environ.get("ACCORD_BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("ACCORD_BENCH_ROUNDS", "3"))
CONNECTIONS = 8
ISSUER = "https://auth.bench/"
AUDIENCE = "https://api.bench"

MONEY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["amount", "currency"],
    "properties": {
        "amount": {"type": "string", "pattern": r"^-?\d{1,15}(\.\d{1,6})?$", "maxLength": 24},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
}
QUANTITY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value", "uom"],
    "properties": {
        "value": {"type": "string", "pattern": r"^\d{1,12}(\.\d{1,6})?$"},
        "uom": {"type": "string", "enum": ["EA", "CS", "KGM", "MTR", "LTR", "PK"]},
    },
}
ORDER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["customerId", "orderDate", "currency", "shipTo", "lines"],
    "properties": {
        "customerId": {"type": "string", "pattern": "^CUS-[0-9]{5}$"},
        "purchaseOrderNumber": {"type": "string", "maxLength": 35},
        "orderDate": {"type": "string", "format": "date-time"},
        "requestedDeliveryDate": {"type": "string", "format": "date"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "shipTo": {
            "type": "object",
            "additionalProperties": False,
            "required": ["line1", "city", "postalCode", "countryCode"],
            "properties": {
                "line1": {"type": "string", "maxLength": 100},
                "line2": {"type": "string", "maxLength": 100},
                "city": {"type": "string", "maxLength": 60},
                "region": {"type": "string", "maxLength": 60},
                "postalCode": {"type": "string", "maxLength": 16},
                "countryCode": {"type": "string", "pattern": "^[A-Z]{2}$"},
            },
        },
        "notes": {"type": "string", "maxLength": 2000},
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": 500,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["lineNumber", "sku", "quantity", "unitPrice"],
                "properties": {
                    "lineNumber": {"type": "integer", "minimum": 1},
                    "sku": {"type": "string", "pattern": "^[A-Z0-9-]{3,32}$"},
                    "gtin": {"type": "string", "pattern": "^[0-9]{14}$"},
                    "description": {"type": "string", "maxLength": 200},
                    "quantity": QUANTITY,
                    "unitPrice": MONEY,
                    "requestedDate": {"type": "string", "format": "date"},
                    "allowSubstitution": {"type": "boolean"},
                },
            },
        },
    },
}


def order_body(lines: int = 18) -> bytes:
    order = {
        "customerId": "CUS-10042",
        "purchaseOrderNumber": "PO-2025-7781",
        "orderDate": "2025-03-14T09:30:00Z",
        "requestedDeliveryDate": "2025-03-21",
        "currency": "USD",
        "shipTo": {
            "line1": "4100 Southpark Place",
            "city": "Grove City",
            "region": "OH",
            "postalCode": "43123",
            "countryCode": "US",
        },
        "notes": "Deliver to dock 4 between 06:00 and 14:00.",
        "lines": [
            {
                "lineNumber": i + 1,
                "sku": f"SKU-{i:05d}",
                "gtin": "00614141000012",
                "description": f"Copper fitting, 3/4 inch, pack of {i + 2}",
                "quantity": {"value": str(10 + i), "uom": "EA"},
                "unitPrice": {"amount": f"{12 + i}.50", "currency": "USD"},
                "requestedDate": "2025-03-21",
                "allowSubstitution": i % 2 == 0,
            }
            for i in range(lines)
        ],
    }
    return orjson.dumps(order)


def write_contracts(folder: Path, upstream_url: str) -> Path:
    contracts = folder / "contracts"
    (contracts / "orders").mkdir(parents=True, exist_ok=True)
    (contracts / "accord.yaml").write_text(
        "version: 1\ndomains:\n  orders:\n    owner: bench\n    systemOfRecord: bench\n"
        f"    upstream: {upstream_url}\n    openapi: orders/openapi.json\n"
    )
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Bench orders", "version": "1.0.0"},
        "x-accord-rate-limit": {"limit": 1_000_000_000, "window": 60, "key": "client"},
        "security": [{"oauth2": ["orders:write"]}],
        "paths": {
            "/v1/orders": {
                "post": {
                    "operationId": "createOrder",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": ORDER_SCHEMA}},
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://auth.bench/token",
                            "scopes": {"orders:write": "w"},
                        }
                    },
                }
            }
        },
    }
    (contracts / "orders" / "openapi.json").write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return contracts


def keys_and_token(folder: Path) -> tuple[Path, str]:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = orjson.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "bench-1", "use": "sig"})
    jwks = folder / "jwks.json"
    jwks.write_bytes(orjson.dumps({"keys": [jwk]}))
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "bench",
        "client_id": "bench",
        "scope": "orders:write",
        "iat": now,
        "exp": now + 3600,
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "bench-1"})
    return jwks, token


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def write_gateway_config(
    folder: Path, contracts: Path, jwks: Path, use_redis: bool, client: str = "builtin"
) -> Path:
    import yaml

    config = {
        "contracts": str(contracts),
        "auth": {"jwt": {"jwks": str(jwks), "issuer": ISSUER, "audience": AUDIENCE}},
        "rateLimit": {"backend": "redis" if use_redis else "memory"},
        "redis": {"prefix": f"accord-bench:{os.getpid()}:"},
        "idempotency": {"enabled": False},
        "upstream": {"client": client},
        "accessLog": {"path": str(folder / f"access-{client}.log")},
    }
    path = folder / f"gateway-{client}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


# -- processes -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


@contextmanager
def process(args: list[str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "cli"), str(ROOT / "gateway")])}
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        try:
            wait_port(port)
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


# -- load ------------------------------------------------------------------------------------------
def wrk(
    url: str, body: Path, headers: dict[str, str], folder: Path, tool: tuple[list[str], dict[str, str]]
) -> dict[str, Any]:
    script = folder / "post.lua"
    lines = [
        'wrk.method = "POST"',
        f'local f = io.open("{body}", "rb")',
        "wrk.body = f:read('*a')",
        "f:close()",
    ]
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    script.write_text("\n".join(lines) + "\n")
    argv, env = tool
    result = subprocess.run(
        [*argv, "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=DURATION + 30,
        env=env,
    )
    return parse_wrk(result.stdout)


async def _aiohttp_load(url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + DURATION
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONNECTIONS)) as session:

        async def worker() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    failures += response.status >= 300
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": round(len(latencies) / elapsed),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
        "requests": len(latencies),
        "non_2xx": failures,
        "tool": "aiohttp (wrk not installed)",
    }


def load(url: str, body_file: Path, headers: dict[str, str], folder: Path) -> dict[str, Any]:
    tool = wrk_command()
    if tool:
        return wrk(url, body_file, headers, folder, tool)
    return asyncio.run(_aiohttp_load(url, body_file.read_bytes(), headers))


# -- micro-benchmarks ------------------------------------------------------------------------------
def _per_call_us(func: Callable[[], object], n: int = 5000) -> float:
    for _ in range(min(n, 200)):
        func()
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(n):
            func()
        samples.append((time.perf_counter() - started) / n)
    return round(statistics.median(samples) * 1e6, 2)


async def _per_await_us(func: Callable[[], Awaitable[object]], n: int = 2000) -> float:
    for _ in range(min(n, 100)):
        await func()
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(n):
            await func()
        samples.append((time.perf_counter() - started) / n)
    return round(statistics.median(samples) * 1e6, 2)


def micro(contracts: Path, jwks: Path, token: str, body: bytes, use_redis: bool) -> dict[str, Any]:
    import uvloop

    return uvloop.run(_micro(contracts, jwks, token, body, use_redis))


async def _micro(contracts: Path, jwks: Path, token: str, body: bytes, use_redis: bool) -> dict[str, Any]:
    from accord_gateway.auth import Jwks, JwtVerifier
    from accord_gateway.config import JwtConfig
    from accord_gateway.limiter import MemoryLimiter, RedisLimiter
    from accord_gateway.middleware.trace import parse_traceparent
    from accord_gateway.resp import RespClient
    from accord_gateway.routing import Router

    from accord.contracts import load_contract_set
    from accord.policy import compile_contract_set

    (policy,) = compile_contract_set(load_contract_set([contracts]))
    media = policy.body.match("application/json") if policy.body else None
    assert media is not None and media.check is not None
    check = media.check
    router = Router([policy])
    results: dict[str, Any] = {"body_bytes": len(body)}
    results["validation_4kb_us"] = _per_call_us(lambda: check.is_valid(orjson.loads(body)))
    results["validation_only_us"] = (
        _per_call_us(lambda: check.is_valid(document)) if (document := orjson.loads(body)) else None
    )
    results["routing_us"] = _per_call_us(lambda: router.match("POST", b"/v1/orders"))
    traceparent = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    results["trace_parse_us"] = _per_call_us(lambda: parse_traceparent(traceparent))
    verifier = JwtVerifier(JwtConfig(jwks=str(jwks), issuer=ISSUER, audience=AUDIENCE), Jwks(str(jwks)))
    await verifier.verify(token)
    results["jwt_rs256_verify_us"] = await _per_await_us(lambda: verifier._verify(token), 500)
    results["jwt_cached_us"] = await _per_await_us(lambda: verifier.verify(token))
    limit = policy.rate_limit
    assert limit is not None
    memory = MemoryLimiter()
    results["rate_limit_memory_us"] = await _per_await_us(lambda: memory.decide("bench", limit))
    if use_redis:
        client = RespClient(timeout=1.0)
        limiter = RedisLimiter(client, f"accord-bench:{os.getpid()}:")
        await limiter.decide("bench", limit)
        latencies = []
        for _ in range(2000):
            started = time.perf_counter()
            await limiter.decide("bench", limit)
            latencies.append(time.perf_counter() - started)
        latencies.sort()
        results["rate_limit_redis_p50_ms"] = round(latencies[1000] * 1000, 3)
        results["rate_limit_redis_p99_ms"] = round(latencies[1980] * 1000, 3)
        started = time.perf_counter()
        for _ in range(250):
            await asyncio.gather(*(limiter.decide("bench", limit) for _ in range(8)))
        results["rate_limit_redis_pipelined_us"] = round((time.perf_counter() - started) / 2000 * 1e6, 2)
        results["rate_limit_redispy_evalsha_p50_ms"] = await _redis_py_p50(limit)
        await client.call("DEL", f"accord-bench:{os.getpid()}:rl:bench")
        await client.close()
    results["gateway_chain_in_process_us"] = await _chain_us(contracts, jwks, token, body)
    return results


async def _redis_py_p50(limit: Any) -> float | None:
    """The same Lua decision through ``redis.asyncio`` (what the custom client replaces)."""
    try:
        import redis.asyncio as redis_asyncio
    except ImportError:
        return None
    from accord_gateway.limiter import GCRA_SCRIPT, interval_and_window

    client = redis_asyncio.Redis(host="127.0.0.1", port=6379)
    sha = await client.script_load(GCRA_SCRIPT)
    interval, window = interval_and_window(limit)
    key = f"accord-bench:{os.getpid()}:rl:redispy"
    latencies = []
    for _ in range(1000):
        started = time.perf_counter()
        await client.evalsha(sha, 1, key, interval, window)
        latencies.append(time.perf_counter() - started)
    await client.delete(key)
    await client.aclose()
    latencies.sort()
    return round(latencies[500] * 1000, 3)


async def _chain_us(contracts: Path, jwks: Path, token: str, body: bytes) -> float:
    """Every policy plus routing and the ASGI plumbing, with an upstream client that answers at once."""
    from accord_gateway import config_from_dict, create_app
    from accord_gateway.exchange import Response
    from accord_gateway.upstream import UpstreamClient, UpstreamRequest

    class Instant(UpstreamClient):
        async def send(self, request: UpstreamRequest) -> Response:
            return Response(200, [(b"content-type", b"application/json")], b"{}")

    config = config_from_dict(
        {
            "contracts": str(contracts),
            "auth": {"jwt": {"jwks": str(jwks), "issuer": ISSUER, "audience": AUDIENCE}},
            "idempotency": {"enabled": False},
            "accessLog": {"enabled": False},
        }
    )
    app = create_app(config, upstream_clients={"*": Instant()})
    headers = [
        (b"host", b"bench"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ]
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/orders",
        "raw_path": b"/v1/orders",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "scheme": "http",
    }
    message = {"type": "http.request", "body": body, "more_body": False}

    async def receive() -> dict[str, Any]:
        return message

    async def send(_: dict[str, Any]) -> None:
        return None

    result = await _per_await_us(lambda: app(dict(scope), receive, send), 3000)
    await app.close()
    return result


# -- run -------------------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux ``/proc``), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(url: str, body_file: Path, headers: dict[str, str], folder: Path, pid: int) -> dict[str, Any]:
    """One load run, with the CPU the serving process spent per request (robust to machine load)."""
    before = cpu_seconds(pid)
    result = load(url, body_file, headers, folder)
    after = cpu_seconds(pid)
    if before is not None and after is not None and result["requests"]:
        result["cpu_us_per_request"] = round((after - before) / result["requests"] * 1e6)
    return result


#: (name, kind) of every configuration under load, in the order of each round: the pairs the targets
#: compare (pass-through and gateway, gateway and direct) run back to back.
CONFIGURATIONS = (
    ("aiohttp_passthrough", "aiohttp"),
    ("gateway", "builtin"),
    ("direct", "upstream"),
    ("gateway_aiohttp_client", "aiohttp-client"),
    ("httpx_passthrough", "httpx"),
    ("direct_accord_serve", "upstream-accord"),
)


def run(cache: Path | None = None) -> dict[str, Any]:
    folder = (cache or cache_dir()) / "gateway-bench"
    folder.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    use_redis = redis_up()
    body = order_body()
    body_file = folder / "order.json"
    body_file.write_bytes(body)
    jwks, token = keys_and_token(folder)
    results: dict[str, Any] = {
        "connections": CONNECTIONS,
        "seconds": DURATION,
        "rounds": ROUNDS,
        "body_bytes": len(body),
        "machine": {"cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in os.getloadavg()]},
    }
    ports = {name: free_port() for name, _ in CONFIGURATIONS}
    upstream_url = f"http://127.0.0.1:{ports['direct']}"
    contracts = write_contracts(folder, upstream_url)
    # The same request everywhere, token included: the pass-throughs forward it like the gateway.
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    apps = [python, "-m", "benchmarks._gateway_apps"]
    commands = {
        "direct": [*apps, "upstream", str(ports["direct"])],
        "direct_accord_serve": [*apps, "upstream-accord", str(ports["direct_accord_serve"])],
        "aiohttp_passthrough": [*apps, "aiohttp", str(ports["aiohttp_passthrough"]), upstream_url],
        "httpx_passthrough": [*apps, "httpx", str(ports["httpx_passthrough"]), upstream_url],
    }
    for name, client in (("gateway", "builtin"), ("gateway_aiohttp_client", "aiohttp")):
        config = write_gateway_config(folder, contracts, jwks, use_redis, client)
        serve = ["gateway", "serve", "--config", str(config), "--port", str(ports[name])]
        commands[name] = [python, "-m", "accord_cli.main", *serve]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in CONFIGURATIONS}
    with ExitStack() as stack:
        pids = {
            name: stack.enter_context(process(commands[name], ports[name], folder / f"{name}.log")).pid
            for name, _ in CONFIGURATIONS
        }
        # Interleaved rounds: every configuration once per round, so slow drifts of the machine's
        # load hit them alike; ratios are taken within a round.
        for _ in range(ROUNDS):
            for name, _ in CONFIGURATIONS:
                url = f"http://127.0.0.1:{ports[name]}/v1/orders"
                runs[name].append(measured(url, body_file, headers, folder, pids[name]))
        results["upstream_client_cpu_us"] = client_cpu(f"{upstream_url}/v1/orders", body)
    results["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    results["gateway_policies"] = {
        "jwt": "RS256",
        "rate_limit": "redis" if use_redis else "memory (Redis not running)",
        "validation": "4 KB order body, Draft 2020-12 with formats",
    }
    results.update(summarise(runs))
    results["runs"] = runs
    results["policy_cost"] = micro(contracts, jwks, token, body, use_redis)
    return results


def summarise(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians per configuration, and ratios taken within each round (then their median)."""
    summary = {
        name: {
            key: _median([r.get(key) for r in rounds])
            for key in ("rps", "p50_ms", "p99_ms", "cpu_us_per_request", "non_2xx")
        }
        for name, rounds in runs.items()
    }

    def per_round(func: Callable[[dict[str, Any]], float | None]) -> float | None:
        count = len(next(iter(runs.values())))
        values = [func({name: rounds[i] for name, rounds in runs.items()}) for i in range(count)]
        return _median(values)

    ratios = {
        "gateway_vs_aiohttp_passthrough": per_round(
            lambda r: _ratio(r["gateway"]["rps"], r["aiohttp_passthrough"]["rps"])
        ),
        "gateway_vs_direct": per_round(lambda r: _ratio(r["gateway"]["rps"], r["direct"]["rps"])),
        "gateway_vs_httpx_passthrough": per_round(
            lambda r: _ratio(r["gateway"]["rps"], r["httpx_passthrough"]["rps"])
        ),
        "gateway_added_p99_ms": per_round(lambda r: _diff(r["gateway"]["p99_ms"], r["direct"]["p99_ms"])),
        "gateway_cpu_per_request_vs_aiohttp_passthrough": per_round(
            lambda r: _ratio(
                r["gateway"].get("cpu_us_per_request") or 0,
                r["aiohttp_passthrough"].get("cpu_us_per_request") or 0,
            )
        ),
        "gateway_builtin_vs_aiohttp_client": per_round(
            lambda r: _ratio(r["gateway"]["rps"], r["gateway_aiohttp_client"]["rps"])
        ),
        "gateway_aiohttp_client_vs_aiohttp_passthrough": per_round(
            lambda r: _ratio(r["gateway_aiohttp_client"]["rps"], r["aiohttp_passthrough"]["rps"])
        ),
        "aiohttp_vs_httpx_passthrough": per_round(
            lambda r: _ratio(r["aiohttp_passthrough"]["rps"], r["httpx_passthrough"]["rps"])
        ),
        "server_cpu_per_request_accord_serve_vs_uvicorn": per_round(
            lambda r: _ratio(
                r["direct_accord_serve"].get("cpu_us_per_request") or 0,
                r["direct"].get("cpu_us_per_request") or 0,
            )
        ),
        "aiohttp_passthrough_added_p99_ms": per_round(
            lambda r: _diff(r["aiohttp_passthrough"]["p99_ms"], r["direct"]["p99_ms"])
        ),
    }
    targets = {
        "gateway >= 0.8x aiohttp pass-through": (ratios["gateway_vs_aiohttp_passthrough"] or 0) >= 0.8,
        "gateway added p99 <= 2.5 ms": (ratios["gateway_added_p99_ms"] or 99) <= 2.5,
        "gateway >= 10x httpx pass-through": (ratios["gateway_vs_httpx_passthrough"] or 0) >= 10,
    }
    return {"summary": summary, "ratios": ratios, "targets": targets}


def client_cpu(url: str, body: bytes, requests: int = 4000) -> dict[str, float]:
    """CPU time of THIS process per request for each upstream client, 8 requests in flight."""
    import uvloop

    return uvloop.run(_client_cpu(url, body, requests))


async def _client_cpu(url: str, body: bytes, requests: int) -> dict[str, float]:
    from accord_gateway.upstream import AiohttpClient, Http1Client

    headers = [(b"content-type", b"application/json"), (b"x-forwarded-for", b"127.0.0.1")]
    found: dict[str, list[float]] = {"builtin": [], "aiohttp": []}
    for _ in range(3):  # interleaved
        for name, client in (("builtin", Http1Client()), ("aiohttp", AiohttpClient())):
            await _drive(client, url, headers, body, 200)
            started = time.process_time()
            await _drive(client, url, headers, body, requests)
            found[name].append((time.process_time() - started) / requests * 1e6)
            await client.close()
    return {name: round(min(values), 1) for name, values in found.items()}


async def _drive(client: Any, url: str, headers: list[tuple[bytes, bytes]], body: bytes, n: int) -> None:
    from accord_gateway.upstream import UpstreamRequest

    async def worker(count: int) -> None:
        for _ in range(count):
            response = await client.send(UpstreamRequest("POST", url, headers, body))
            if response.status != 200:
                raise RuntimeError(f"upstream answered {response.status}")

    await asyncio.gather(*(worker(n // CONNECTIONS) for _ in range(CONNECTIONS)))


def _median(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 3) if present else None


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("inf")


def _diff(a: float | None, b: float | None) -> float | None:
    return round(a - b, 3) if a is not None and b is not None else None


if __name__ == "__main__":
    print(orjson.dumps(run(), option=orjson.OPT_INDENT_2).decode())
