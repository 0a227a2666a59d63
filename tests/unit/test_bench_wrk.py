"""The benchmark's reading of wrk reports and its Lua rendering of raw requests."""

from __future__ import annotations

import re

from bench.wrk import _lua, parse_wrk, signed_raw_request

REPORT = """Running 5s test @ http://127.0.0.1:40000
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.43ms    1.02ms  20.11ms   80.00%
  Latency Distribution
     50%    2.38ms
     75%    2.90ms
     90%    3.60ms
     99%  543.00us
  29755 requests in 5.00s, 14.96MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:   5951.02
Transfer/sec:      2.99MB
"""


def test_parse_wrk_reads_rate_percentiles_and_errors() -> None:
    load = parse_wrk(REPORT)
    assert load.requests_per_second == 5951.02
    assert (load.p50_ms, load.p99_ms) == (2.38, 0.543)
    assert (load.requests, load.errors) == (29755, 7)


def test_signed_requests_render_as_escaped_lua_strings() -> None:
    raw = signed_raw_request(
        "http://127.0.0.1:1", "POST", "/accounts", b'{"Name": "A \\"B\\""}', key="AKIA", secret="s"
    )
    assert raw.startswith("POST /accounts HTTP/1.1\r\nHost: 127.0.0.1:1\r\n")
    assert "Authorization: AWS4-HMAC-SHA256 Credential=AKIA/" in raw
    script = _lua([raw])
    assert "\r" not in script
    literal = script.split("{\n", 1)[1].split("\n}", 1)[0]
    assert literal.startswith('"') and literal.endswith('"')
    decoded = re.sub(
        r"\\(.)", lambda m: {"r": "\r", "n": "\n"}.get(m.group(1), m.group(1)), literal[1:-1]
    )
    assert decoded == raw
