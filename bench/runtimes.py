"""The compiled and WebAssembly runtimes in the benchmark: Go, Java and WebAssembly hellos, warm
(wrk at 1 connection) and cold (the first call of a fresh function), and the compute speed of
Chicory against Node's V8 running the same .wasm (a recursive fib(30)).

harness.py calls measure() once per run and renders what it returns; everything this module
needs from the harness (the HTTP client, wrk, logging) is handed in, so that it stays a leaf.
"""

import json
import os
import statistics
import subprocess
import tempfile
import time

EXPECTED = {"hello": "world"}

HELLOS = {
    "go": {
        "runtime": "go", "handler": "Handle",
        "code": "package main\n\n"
                "func Handle(event map[string]any) (map[string]string, error) {\n"
                "\treturn map[string]string{\"hello\": \"world\"}, nil\n}\n",
    },
    "java": {
        "runtime": "java25", "handler": "Hello",
        "code": "import io.nimbus.sdk.Context;\nimport io.nimbus.sdk.Handler;\nimport java.util.Map;\n\n"
                "public class Hello implements Handler {\n"
                "    @Override\n"
                "    public Object handleRequest(Object event, Context context) {\n"
                "        return Map.of(\"hello\", \"world\");\n    }\n}\n",
    },
    "wasm": {
        "runtime": "wasm",
        # the handler ABI: the answer is the 17 bytes at offset 0, so handle returns (0 << 32) | 17
        "code": "(module\n"
                "  (memory (export \"memory\") 1)\n"
                "  (data (i32.const 0) \"{\\\"hello\\\":\\\"world\\\"}\")\n"
                "  (func (export \"alloc\") (param i32) (result i32) (i32.const 1024))\n"
                "  (func (export \"handle\") (param i32 i32) (result i64) (i64.const 17)))\n",
    },
}

# fib(30) recursively, exported for V8 as "fib" and behind the handler ABI for Nimbus, which
# writes the result (832040) as decimal digits below offset 32.
FIB_WAT = """(module
  (memory (export "memory") 1)
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "handle") (param i32 i32) (result i64)
    (local $v i32) (local $at i32)
    (local.set $v (call $fib (i32.const 30)))
    (local.set $at (i32.const 32))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digits (i32.ne (local.get $v) (i32.const 0))))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $at)) (i64.const 32))
            (i64.extend_i32_u (i32.sub (i32.const 32) (local.get $at))))))
"""
FIB_RESULT = 832040
FIB_RUNS = 15
FIB_WARMUP = 5

V8_FIB_JS = """
const bytes = require('fs').readFileSync(process.argv[1]);
WebAssembly.instantiate(bytes).then(({instance}) => {
  const times = [];
  for (let i = 0; i < %d + %d; i++) {
    const t0 = process.hrtime.bigint();
    const v = instance.exports.fib(30);
    const t1 = process.hrtime.bigint();
    if (v !== %d) { throw new Error('fib(30) = ' + v); }
    if (i >= %d) { times.push(Number(t1 - t0) / 1e6); }
  }
  console.log(JSON.stringify(times));
});
""" % (FIB_WARMUP, FIB_RUNS, FIB_RESULT, FIB_WARMUP)

WASM_COLD_GOAL_MS = 1.0
WASM_WARM_GOAL_MS = 0.15


def measure(nimbus, run_wrk, summarize, log, problem, cold_n, duration_s, node):
    """Every measurement of this module, as one JSON-ready dict."""
    out = {"cold": {}, "warm": {}, "fib": None, "unavailable": {}}
    available = runtimes_available(nimbus)
    for key, spec in HELLOS.items():
        if not available.get(spec["runtime"], False):
            out["unavailable"][key] = "runtime %s is not available on this server" % spec["runtime"]
            continue
        try:
            out["cold"][key] = cold_starts(nimbus, key, spec, cold_n, summarize, problem)
            out["warm"][key] = warm(nimbus, key, spec, run_wrk, duration_s, log)
        except RuntimeError as e:
            problem("%s runtime: %s" % (key, e))
            out["unavailable"][key] = str(e)
        log("  %s: cold p50 %s ms, warm p50 %s µs" % (
            key, (out["cold"].get(key) or {}).get("p50"), ((out["warm"].get(key) or {}).get("p50_us"))))
    if available.get("wasm"):
        try:
            out["fib"] = fib(nimbus, summarize, node, problem)
        except RuntimeError as e:
            problem("fib(30): %s" % e)
    return out


def runtimes_available(nimbus):
    r = nimbus.api.call("GET", "/api/v1/runtimes")
    listed = (r.json() or {}).get("runtimes") or [] if r.status == 200 else []
    return {x.get("id"): bool(x.get("available")) for x in listed if isinstance(x, dict)} | {
        alias: bool(x.get("available")) for x in listed if isinstance(x, dict) for alias in x.get("aliases") or []}


def create(nimbus, name, spec):
    """Creates a function and waits (bounded) until it is built: a compiled runtime answers building first."""
    body = dict(spec, name=name)
    r = nimbus.api.call("POST", "/api/v1/functions", body)
    if r.status != 201:
        raise RuntimeError("POST /api/v1/functions %s -> %s" % (name, r.describe()))
    deadline = time.monotonic() + 180
    status = (r.json() or {}).get("status")
    while status == "building" and time.monotonic() < deadline:
        time.sleep(0.05)
        status = (nimbus.api.call("GET", "/api/v1/functions/" + name).json() or {}).get("status")
    if status != "active":
        raise RuntimeError("function %s is %s, not active" % (name, status))


def invoke(nimbus, name, body=b'{"n":1}'):
    return nimbus.api.call("POST", "/api/v1/functions/%s/invoke" % name, raw=body)


def cold_starts(nimbus, key, spec, n, summarize, problem):
    """n fresh functions with the same code (built once: artifacts are content-addressed), each
    invoked once on the already-open connection, timed around request and response."""
    samples, init = [], []
    for i in range(n):
        name = "rt-cold-%s-%d" % (key, i)
        create(nimbus, name, spec)
        nimbus.api.ensure_open()
        r = invoke(nimbus, name)
        if r.status != 200 or r.json() != EXPECTED:
            problem("%s cold start %d: %s" % (key, i, r.describe()))
        elif str(r.headers.get("x-nimbus-cold-start")).lower() != "true":
            problem("%s cold start %d: not a cold start" % (key, i))
        else:
            samples.append(r.ns / 1e6)
            if r.headers.get("x-nimbus-init-duration-ms"):
                init.append(float(r.headers["x-nimbus-init-duration-ms"]))
        nimbus.api.call("DELETE", "/api/v1/functions/" + name)
        time.sleep(0.2)
    stats = summarize(samples)
    stats["init_ms"] = summarize(init)
    return stats


def warm(nimbus, key, spec, run_wrk, duration_s, log):
    name = "rt-warm-%s" % key
    create(nimbus, name, spec)
    r = invoke(nimbus, name)
    if r.status != 200 or r.json() != EXPECTED:
        raise RuntimeError("warm %s: %s" % (key, r.describe()))
    url = nimbus.invoke_url(name)
    run_wrk(url, 1, 1, 2, nimbus.proc.pid)  # warm-up
    res = run_wrk(url, 1, 1, duration_s, nimbus.proc.pid)
    nimbus.api.call("DELETE", "/api/v1/functions/" + name)
    if res.get("error"):
        raise RuntimeError("wrk on %s: %s" % (key, res["error"]))
    return {k: res.get(k) for k in ("p50_us", "p99_us", "p50_raw_us", "p99_raw_us", "rps", "requests",
                                    "http_errors", "socket_errors", "wrk_cpu_pct", "server_cpu_pct",
                                    "other_cpu_pct")}


def fib(nimbus, summarize, node, problem):
    """fib(30) on Chicory (the server's time for each invocation: a fresh instance of the compiled
    module and the call) against V8 (the call alone, in one Node process), same module."""
    create(nimbus, "rt-fib", {"runtime": "wasm", "code": FIB_WAT})
    chicory = []
    for i in range(FIB_WARMUP + FIB_RUNS):
        r = invoke(nimbus, "rt-fib")
        if r.status != 200 or r.json() != FIB_RESULT:
            raise RuntimeError("Nimbus fib(30): %s" % r.describe())
        if i >= FIB_WARMUP:
            chicory.append(float(r.headers["x-nimbus-duration-ms"]))
    nimbus.api.call("DELETE", "/api/v1/functions/rt-fib")
    with tempfile.TemporaryDirectory() as tmp:
        wat, wasm = os.path.join(tmp, "fib.wat"), os.path.join(tmp, "fib.wasm")
        with open(wat, "w") as f:
            f.write(FIB_WAT)
        done = subprocess.run(["wat2wasm", wat, "-o", wasm], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("wat2wasm: " + done.stderr.strip())
        ran = subprocess.run([node, "-e", V8_FIB_JS, wasm], capture_output=True, text=True, timeout=120)
        if ran.returncode != 0:
            raise RuntimeError("node: " + ran.stderr.strip()[-300:])
        v8 = json.loads(ran.stdout)
    c, v = statistics.median(chicory), statistics.median(v8)
    return {"chicory_ms": summarize(chicory), "v8_ms": summarize(v8), "ratio": c / v if v else None,
            "node": subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()}


def render(result, md_table, fmt_ms, fmt_us, fmt_rps):
    """[(title, markdown table)] for docs/benchmarks.md."""
    if not result:
        return []
    out = []
    body = []
    for key in HELLOS:
        cold, warm_ = result["cold"].get(key), result["warm"].get(key)
        if key in result["unavailable"]:
            body.append([key, "—", "—", "—", "—", "—", "—", "unavailable: " + result["unavailable"][key]])
            continue
        note = ""
        if key == "wasm":
            note = "goals: cold p50 ≤ %.0f ms, warm p50 ≤ %.2f ms" % (WASM_COLD_GOAL_MS, WASM_WARM_GOAL_MS)
        body.append([key, "%d" % (cold or {}).get("n", 0), fmt_ms((cold or {}).get("p50")),
                     fmt_ms((cold or {}).get("p99")), fmt_ms(((cold or {}).get("init_ms") or {}).get("p50")),
                     fmt_us((warm_ or {}).get("p50_us")), fmt_us((warm_ or {}).get("p99_us")),
                     fmt_rps((warm_ or {}).get("rps")) + ("; " + note if note else "")])
    out.append(("Go, Java and WebAssembly hellos: cold start (first call of a fresh function, client side; "
                "*init* is `X-Nimbus-Init-Duration-Ms`) and warm at 1 connection",
                md_table(["runtime", "cold n", "cold p50", "cold p99", "init p50", "warm p50", "warm p99",
                          "warm req/s"], {1, 2, 3, 4, 5, 6}, body)))
    f = result.get("fib")
    if f:
        out.append(("fib(30), the same .wasm: Chicory in Nimbus (server time per invocation, a fresh instance "
                    "each) against V8 (%s, the call alone)" % f.get("node"),
                    md_table(["engine", "n", "p50", "max"], {1, 2, 3}, [
                        ["Chicory (Nimbus)", "%d" % f["chicory_ms"].get("n", 0), fmt_ms(f["chicory_ms"].get("p50")),
                         fmt_ms(f["chicory_ms"].get("max"))],
                        ["V8 (Node)", "%d" % f["v8_ms"].get("n", 0), fmt_ms(f["v8_ms"].get("p50")),
                         fmt_ms(f["v8_ms"].get("max"))],
                        ["Chicory ÷ V8", "", "×%.2f" % f["ratio"] if f.get("ratio") else "—", ""]])))
    return out


METHOD = ("- Go, Java and WebAssembly: a hello per runtime (`go` with a `Handle` function, `java25` with a "
          "class implementing `io.nimbus.sdk.Handler`, `wasm` as WAT text with the handler ABI). Cold: %d fresh "
          "functions per runtime with the same code (so the build, content-addressed, happens once and is not "
          "timed: the harness waits until each is `active`), each invoked once on an already-open connection; "
          "warm: `wrk -t1 -c1` for %d s after a 2 s warm-up. fib(30): a WAT module exporting a recursive `fib`, "
          "deployed as a `wasm` function whose handler returns fib(30); %d invocations after %d warm-ups, the "
          "server's `X-Nimbus-Duration-Ms` (a fresh instance of the compiled module, and the call); the same "
          "module converted by `wat2wasm` (Debian's wabt) and run by Node's V8, %d calls after %d warm-ups in one "
          "process, timed around the call.")
