#!/usr/bin/python3
"""Nimbus benchmark harness (stdlib only). Started by bench/run; the method is
/work/shared/BENCHMARKING.md and the generated section of docs/benchmarks.md.

One run (one Nimbus server) measures, alternated per repetition on the same loopback:
  * the HTTP floor: a bare Node http.createServer hello server (bench/floor.js);
  * Nimbus warm invocations of a python and a node hello function deployed with the
    defaults (the server's default sandbox backend, default memory_mb and CPU share);
  both with wrk -t1 -c1 (latency) and wrk -t2 -c32 (throughput), after a warm-up;
  * the warm-invocation overhead of each sandbox backend: a python and a node hello per
    backend (process, namespace, gvisor), deployed with "cpus": 1, at wrk -t1 -c1;
and, interleaved, iteration by iteration:
  * time to create a sandbox: Nimbus cold starts (a fresh function each time, one invoke timed
    over HTTP) per runtime and per sandbox backend, deployed with "isolation" and "cpus": 1 (no
    pre-started stem cell fits them), and per runtime with the defaults (stem cells allowed),
    which is also the plain "cold start" row;
  * the baseline of a new process per invocation (python -c, node -e).
Backends that the server cannot run (GET /health sandbox.backends; create answers 400
IsolationUnavailable) are reported as unavailable, with the reason.
Only 127.0.0.1 is loaded; every loop is bounded in count and in time.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import runtimes  # bench/runtimes.py: Go, Java and WebAssembly

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
JAVA_HOME_DEFAULT = "/usr/lib/jvm/temurin-25-jdk-amd64"
NODE = "/usr/bin/node"
POST_LUA = os.path.join(BENCH_DIR, "post.lua")
FLOOR_JS = os.path.join(BENCH_DIR, "floor.js")
MARK_BEGIN = "<!-- bench:begin -->"
MARK_END = "<!-- bench:end -->"
CLK_TCK = os.sysconf("SC_CLK_TCK")
INVOKE_BODY = b'{"n":1}'
EXPECTED_RESULT = {"hello": "world"}

FUNCTIONS = {
    "python": {
        "runtime": "python3.11",
        "handler": "main.handler",
        "code": 'def handler(event, context):\n    return {"hello": "world"}\n',
    },
    "node": {
        "runtime": "nodejs20",
        "handler": "main.handler",
        "code": "exports.handler = async (event) => ({hello: 'world'});\n",
    },
}
SHORT = {"python": "py", "node": "node"}
BACKENDS = ("process", "namespace", "gvisor")  # the sandbox backends compared; process is the reference
ISO_CPUS = 1  # CPU share (cores) of the backend-comparison functions, so that the sandbox, not the share, is measured

PROBLEMS = []  # everything that went wrong, reported in the table's section and in the JSON


def log(msg):
    print(time.strftime("%H:%M:%S ") + msg, file=sys.stderr, flush=True)


def problem(msg):
    PROBLEMS.append(msg)
    log("PROBLEM: " + msg)


class Stop(Exception):
    pass


class Unavailable(RuntimeError):
    """The server refused an isolation it cannot provide (400 IsolationUnavailable)."""

    def __init__(self, message, answer):
        super().__init__(message)
        self.answer = answer


def _on_signal(signum, _frame):
    raise Stop("signal %d" % signum)


# --------------------------------------------------------------------------- statistics


def pct(samples, p):
    """Nearest-rank percentile (p in 0..100) of a list; None when empty."""
    if not samples:
        return None
    s = sorted(samples)
    k = max(0, min(len(s) - 1, math.ceil(p / 100.0 * len(s)) - 1))
    return s[k]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(samples):
    if not samples:
        return {"n": 0}
    return {
        "n": len(samples),
        "p50": pct(samples, 50),
        "p90": pct(samples, 90),
        "p99": pct(samples, 99),
        "mean": statistics.fmean(samples),
        "min": min(samples),
        "max": max(samples),
        "stdev": statistics.stdev(samples) if len(samples) > 1 else 0.0,
    }


# --------------------------------------------------------------------------- processes & CPU


def _die_with_harness():
    """preexec_fn: the child gets SIGTERM if the harness itself dies (even by SIGKILL)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_proc_table():
    """pid -> (ppid, utime+stime ticks, cutime+cstime ticks) for every visible process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as f:
                data = f.read().decode("ascii", "replace")
        except OSError:
            continue
        rest = data[data.rfind(")") + 2:].split()  # fields from 3 (state) on
        try:
            ppid = int(rest[1])
            own = int(rest[11]) + int(rest[12])  # utime stime (fields 14, 15)
            children = int(rest[13]) + int(rest[14])  # cutime cstime (16, 17)
        except (IndexError, ValueError):
            continue
        table[int(entry)] = (ppid, own, children)
    return table


class TreeCpu:
    """CPU used by a process tree over an interval, processes that die meanwhile included.

    The tree (root_pid and its descendants, by ppid) is sampled every interval_s and each
    process's own user+system time is kept as last seen; the result is the growth of those.
    cutime/cstime are not used: a sandbox killed as a whole (its bwrap or runsc parent dies with
    it) is never reaped by a process of the tree, so its time would never reach one's cutime,
    and a before/after difference would lose it (or go negative). What can still be missed:
    the last interval_s of a process before it dies, and processes living less than interval_s."""

    def __init__(self, root_pid, interval_s=0.25):
        self.root, self.interval_s = root_pid, interval_s
        snap = self._snapshot()
        self.first = dict(snap)  # pid -> own ticks when first seen (0 for a process born meanwhile)
        self.last = dict(snap)
        self.gone = 0  # ticks of processes whose pid was reused meanwhile
        self.samples = 1
        self.pids_now = len(snap)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="tree-cpu", daemon=True)
        self._thread.start()

    def _snapshot(self):
        table = read_proc_table()
        kids = {}
        for pid, (ppid, _, _) in table.items():
            kids.setdefault(ppid, []).append(pid)
        out, stack = {}, [self.root]
        while stack:
            pid = stack.pop()
            if pid in table and pid not in out:
                out[pid] = table[pid][1]
                stack.extend(kids.get(pid, []))
        return out

    def _merge(self, snap):
        with self._lock:
            for pid, own in snap.items():
                if pid not in self.last:
                    self.first[pid], self.last[pid] = 0, own
                elif own < self.last[pid]:  # the pid was reused: a new process
                    self.gone += self.last[pid] - self.first[pid]
                    self.first[pid], self.last[pid] = 0, own
                else:
                    self.last[pid] = own
            self.samples += 1
            self.pids_now = len(snap)

    def _run(self):
        while not self._stop.wait(self.interval_s):
            self._merge(self._snapshot())

    def stop(self):
        """Stops sampling; returns {"root", "descendants" (ticks used meanwhile), "pids", "samples"}."""
        self._stop.set()
        self._thread.join(timeout=10)
        self._merge(self._snapshot())
        root = self.last.get(self.root, 0) - self.first.get(self.root, 0)
        desc = self.gone + sum(self.last[p] - self.first[p] for p in self.last if p != self.root)
        return {"root": root, "descendants": desc, "pids": self.pids_now, "samples": self.samples,
                "seen": len(self.last)}


def system_cpu():
    """Machine-wide CPU ticks from /proc/stat: (busy, steal), busy excluding idle, iowait and steal."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    v += [0] * (8 - len(v))
    user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    return user + nice + system + irq + softirq, steal


def cpu_delta(used, wall_s):
    root = used["root"] / CLK_TCK
    desc = used["descendants"] / CLK_TCK
    total = root + desc
    return {
        "cpu_s": total,
        "cpu_pct": 100.0 * total / wall_s if wall_s > 0 else None,
        "main_process_cpu_s": root,
        "children_cpu_s": desc,
        "processes_after": used["pids"],
        "processes_seen": used.get("seen"),
        "tree_samples": used.get("samples"),
    }


def stop_process(proc, name, grace_s=20.0, leftovers_ok=False):
    """SIGTERM the process we started, wait, then SIGKILL it; then kill whatever is left
    in its process group (it was started in a new session, so the group is ours)."""
    if proc is None:
        return None
    info = {"name": name}
    if proc.poll() is None:
        t0 = time.monotonic()
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace_s)
            info["stopped_by"] = "SIGTERM"
            info["stop_s"] = round(time.monotonic() - t0, 3)
        except subprocess.TimeoutExpired:
            problem("%s did not exit within %.0f s of SIGTERM; sent SIGKILL" % (name, grace_s))
            proc.kill()
            proc.wait(timeout=10)
            info["stopped_by"] = "SIGKILL"
    else:
        info["stopped_by"] = "had already exited"
    info["exit_code"] = proc.returncode
    leftovers = []
    for pid, (_, _, _) in read_proc_table().items():
        try:
            if os.getpgid(pid) == proc.pid:
                leftovers.append(pid)
        except OSError:
            pass
    if leftovers:
        (log if leftovers_ok else problem)("%s left %d process(es) of its group running after it exited: %s; killed them"
                % (name, len(leftovers), " ".join(map(str, leftovers[:20]))))
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    info["leftover_processes"] = len(leftovers)
    return info


def wait_http_ok(port, path, proc, timeout_s, method="GET", body=None):
    """Poll until path answers 200; returns (seconds, body) or raises."""
    t0 = time.monotonic()
    last = None
    while time.monotonic() - t0 < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError("process exited with code %s before %s answered 200 (last: %s)"
                               % (proc.returncode, path, last))
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request(method, path, body=body)
            r = c.getresponse()
            data = r.read()
            c.close()
            if r.status == 200:
                return time.monotonic() - t0, data
            last = "HTTP %d %s" % (r.status, data[:200])
        except (OSError, http.client.HTTPException) as e:
            last = repr(e)
        time.sleep(0.05)
    raise RuntimeError("%s did not answer 200 within %.0f s (last: %s)" % (path, timeout_s, last))


# --------------------------------------------------------------------------- wrk


def run_wrk(url, threads, conns, duration_s, server_pid):
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % duration_s, "--timeout", "5s",
           "-s", POST_LUA, url]
    tree = TreeCpu(server_pid)
    sys_before = system_cpu()
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=dict(os.environ, BENCH_WRK_CONNECTIONS=str(conns)),  # for post.lua's raw latency
                            preexec_fn=_die_with_harness)
    watchdog = threading.Timer(duration_s + 30, proc.kill)
    watchdog.start()
    reaped = False
    try:
        out = proc.stdout.read().decode("utf-8", "replace")
        _, status, ru = os.wait4(proc.pid, 0)
        reaped = True
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        watchdog.cancel()
        proc.stdout.close()
        if not reaped:  # interrupted: do not leave the load generator running
            tree._stop.set()
            proc.kill()
            proc.wait(timeout=10)
    wall = time.monotonic() - t0
    used = tree.stop()
    sys_after = system_cpu()
    res = {"cmd": " ".join(cmd), "exit_code": proc.returncode, "wall_s": round(wall, 3)}
    line = next((l for l in out.splitlines() if l.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        res["error"] = "wrk failed (exit %s): %s" % (proc.returncode, out.strip()[-500:])
        return res
    data = json.loads(line[len("BENCH_JSON "):])
    lat = data["latency_us"]
    raw = data.get("latency_raw_us") or {}
    errs = data["errors"]
    socket_errors = errs["connect"] + errs["read"] + errs["write"] + errs["timeout"]
    wrk_cpu = ru.ru_utime + ru.ru_stime
    res.update({
        "requests": data["requests"],
        "duration_s": data["duration_us"] / 1e6,
        "rps": data["requests"] / (data["duration_us"] / 1e6) if data["duration_us"] else 0.0,
        "latency_us": lat,
        "p50_us": lat["p50"],
        "p99_us": lat["p99"],
        # wrk's percentiles above are corrected for coordinated omission; these are not (post.lua)
        "latency_raw_us": raw or None,
        "p50_raw_us": raw.get("p50"),
        "p99_raw_us": raw.get("p99"),
        "errors": errs,
        "http_errors": data["non2xx"],  # responses whose status is not 2xx (counted by post.lua)
        "first_non2xx": data["first_non2xx"],
        "socket_errors": socket_errors,
        "wrk_cpu_s": round(wrk_cpu, 3),
        "wrk_cpu_pct": round(100.0 * wrk_cpu / wall, 1) if wall > 0 else None,
        "server_cpu": cpu_delta(used, wall),
    })
    res["server_cpu_pct"] = res["server_cpu"]["cpu_pct"]
    # Everything else that ran on the machine meanwhile (other users' builds, the harness):
    # machine busy time minus wrk minus the server tree; and the hypervisor's steal time.
    busy_s = (sys_after[0] - sys_before[0]) / CLK_TCK
    res["machine_busy_pct"] = round(100.0 * busy_s / wall, 1) if wall > 0 else None
    res["other_cpu_pct"] = round(100.0 * (busy_s - wrk_cpu - res["server_cpu"]["cpu_s"]) / wall, 1) \
        if wall > 0 else None
    res["steal_pct"] = round(100.0 * (sys_after[1] - sys_before[1]) / CLK_TCK / wall, 1) if wall > 0 else None
    if data["requests"] == 0:
        res["error"] = "no request completed"
    return res


# --------------------------------------------------------------------------- HTTP client


class Resp:
    def __init__(self, status, headers, body, ns):
        self.status, self.headers, self.body, self.ns = status, headers, body, ns

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def describe(self):
        return "HTTP %s, body %s" % (self.status, self.body[:300].decode("utf-8", "replace"))


class Api:
    """One persistent HTTP/1.1 connection to Nimbus, as a client SDK would keep."""

    def __init__(self, port, timeout_s=60):
        self.port, self.timeout_s, self.conn = port, timeout_s, None

    def ensure_open(self):
        """Connect outside any timed section, so that timings never include TCP setup."""
        if self.conn is not None and self.conn.sock is not None:
            return False
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout_s)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return True

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, method, path, payload=None, raw=None):
        """Send one request; returns Resp (ns = request sent to body read, perf_counter_ns)."""
        body = raw if raw is not None else (None if payload is None else json.dumps(payload).encode())
        headers = {"Content-Type": "application/json", "Accept": "application/json"} if body is not None \
            else {"Accept": "application/json"}
        for attempt in (1, 2):
            reopened = self.ensure_open()
            try:
                t0 = time.perf_counter_ns()
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                t1 = time.perf_counter_ns()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                if attempt == 1 and not reopened:
                    continue  # the server had closed the idle keep-alive connection
                raise RuntimeError("%s %s: %r" % (method, path, e))
            except (OSError, http.client.HTTPException) as e:
                self.close()
                raise RuntimeError("%s %s: %r" % (method, path, e))
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            if r.will_close:
                self.close()
            return Resp(r.status, hdrs, data, t1 - t0)


# --------------------------------------------------------------------------- servers


class Floor:
    name = "Node http floor"

    def __init__(self, workdir):
        self.port = free_port()
        self.log_path = os.path.join(workdir, "floor.log")
        self.logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen([NODE, FLOOR_JS, str(self.port)], cwd=BENCH_DIR, stdout=self.logf,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=_die_with_harness)
        wait_http_ok(self.port, "/", self.proc, 15, method="POST", body=INVOKE_BODY)
        self.url = "http://127.0.0.1:%d/" % self.port

    def stop(self):
        info = stop_process(self.proc, "floor server", grace_s=5)
        self.logf.close()
        return info


class Nimbus:
    def __init__(self, workdir, java_home, ready_timeout_s, cmd_override=None):
        self.port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix="nimbus-data-", dir=workdir)
        self.log_path = os.path.join(workdir, "nimbus.log")
        self.logf = open(self.log_path, "wb")
        target = os.path.join(ROOT, "nimbus-server", "target")
        built = os.path.join(target, "nimbus.jar")
        # Run a private copy of the jar and its lib/ (its manifest's Class-Path): others may
        # rebuild target/ while this run is under way, and a JVM whose jars are replaced under it
        # may fail to load classes later; it also pins down which build was measured.
        copy = os.path.join(workdir, "nimbus")
        jar = os.path.join(copy, "nimbus.jar")
        self.jar_info = {}
        if not cmd_override:
            import hashlib
            shutil.rmtree(copy, ignore_errors=True)
            os.makedirs(copy)
            shutil.copy2(built, jar)
            if os.path.isdir(os.path.join(target, "lib")):
                shutil.copytree(os.path.join(target, "lib"), os.path.join(copy, "lib"))
            h = hashlib.sha256()
            own = [jar] + sorted(os.path.join(copy, "lib", n) for n in os.listdir(os.path.join(copy, "lib"))
                                 if n.startswith("nimbus-")) if os.path.isdir(os.path.join(copy, "lib")) else [jar]
            for path in own:
                with open(path, "rb") as f:
                    h.update(f.read())
            self.jar_info = {"sha256": h.hexdigest(), "hashed": [os.path.basename(p) for p in own],
                             "built_utc": datetime.datetime.fromtimestamp(  # the newest of the Nimbus jars
                                 max(os.path.getmtime(p) for p in own), datetime.timezone.utc)
                             .strftime("%Y-%m-%dT%H:%M:%SZ")}
        self.cmd = [os.path.join(java_home, "bin", "java"), "-jar", jar, "up", "--host", "127.0.0.1",
                    "--port", str(self.port), "--data-dir", self.data_dir]
        if cmd_override:  # a stand-in server, for testing the harness itself
            self.cmd = [a.format(port=self.port, data_dir=self.data_dir) for a in cmd_override.split()]
        # process, the reference of the backend comparisons, is refused unless the operator allows it;
        # the default backend is unchanged (the harness's server listens on 127.0.0.1 only)
        self.env_shown = {"NIMBUS_SANDBOX_ALLOW_PROCESS": "true"}
        env = dict(os.environ, JAVA_HOME=java_home, **self.env_shown)
        log("starting Nimbus: " + " ".join(self.cmd))
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, stdout=self.logf, stderr=subprocess.STDOUT,
                                     env=env, start_new_session=True, preexec_fn=_die_with_harness)
        try:
            _, body = wait_http_ok(self.port, "/health/ready", self.proc, ready_timeout_s)
        except RuntimeError as e:
            raise RuntimeError("Nimbus did not become ready: %s\n--- last lines of %s ---\n%s"
                               % (e, self.log_path, self.log_tail()))
        self.ready_s = time.monotonic() - t0
        self.ready_body = body.decode("utf-8", "replace")[:500]
        self.api = Api(self.port)

    def log_tail(self, n=30):
        try:
            self.logf.flush()
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def invoke_url(self, fn):
        return "http://127.0.0.1:%d/api/v1/functions/%s/invoke" % (self.port, fn)

    def health(self):
        """GET /health as JSON (it answers 503 with the same body when something is down)."""
        r = self.api.call("GET", "/health")
        body = r.json()
        if not isinstance(body, dict):
            raise RuntimeError("GET /health -> %s" % r.describe())
        return body

    def boot_counts(self):
        """Instances started so far, from a stem cell and from nothing, as GET /metrics counts them
        (nimbus_vm_boot_duration_ms_count, tag from_snapshot); None when it cannot be read."""
        try:
            r = self.api.call("GET", "/metrics")
        except RuntimeError:
            return None
        if r.status != 200:
            return None
        counts, seen = {"true": 0.0, "false": 0.0}, False
        for line in r.body.decode("utf-8", "replace").splitlines():
            if line.startswith("nimbus_vm_boot_duration_ms_count{"):
                tags, _, value = line.rpartition(" ")
                for flag in counts:
                    if 'from_snapshot="%s"' % flag in tags:
                        counts[flag] += float(value)
                        seen = True
        return counts if seen else None

    def create(self, name, lang, extra=None):
        """Creates a function (extra: more fields, e.g. isolation, cpus); returns Resp
        (its ns is the time of the create request). Raises Unavailable on IsolationUnavailable."""
        spec = dict(FUNCTIONS[lang], name=name, **(extra or {}))
        r = self.api.call("POST", "/api/v1/functions", spec)
        if r.status == 400:
            err = (r.json() or {}).get("error") if isinstance(r.json(), dict) else None
            if isinstance(err, dict) and err.get("code") == "IsolationUnavailable":
                raise Unavailable(str(err.get("message") or r.describe()), r.body[:500].decode("utf-8", "replace"))
        if r.status != 201:
            raise RuntimeError("POST /api/v1/functions %s -> %s (expected 201)"
                               % (json.dumps(spec), r.describe()))
        body = r.json() or {}
        status = str(body.get("status", "")).lower() if isinstance(body, dict) else ""
        if status and status != "active":
            # A function still building is not a cold start yet: wait (bounded) until active.
            t0 = time.monotonic()
            while time.monotonic() - t0 < 60:
                g = self.api.call("GET", "/api/v1/functions/" + name)
                st = str((g.json() or {}).get("status", "")).lower() if g.status == 200 else ""
                if st == "active":
                    break
                if st == "failed":
                    raise RuntimeError("function %s failed to build: %s" % (name, g.describe()))
                time.sleep(0.05)
            else:
                raise RuntimeError("function %s not active after 60 s (status %s)" % (name, status))
        return r

    def delete(self, name):
        r = self.api.call("DELETE", "/api/v1/functions/" + name)
        if r.status != 204:
            problem("DELETE /api/v1/functions/%s -> %s (expected 204)" % (name, r.describe()))
        return r.status

    def invoke(self, name):
        self.api.ensure_open()
        return self.api.call("POST", "/api/v1/functions/%s/invoke" % name, raw=INVOKE_BODY)

    def stop(self):
        if getattr(self, "api", None):
            self.api.close()
        info = stop_process(self.proc, "Nimbus", grace_s=20)
        self.logf.close()
        return info


def nimbus_log_head(path, n=40):
    try:
        with open(path, "rb") as f:
            return f.read(20000).decode("utf-8", "replace").splitlines()[:n]
    except OSError:
        return []


def sandbox_backend(log_lines):
    """The sandbox backend Nimbus announced in its log, when it did (informative only)."""
    import re
    for line in log_lines:
        m = re.search(r"(?i)sandbox backend[ :=']+([a-z0-9_-]+)", line)
        if m:
            return m.group(1).lower()
    return None


def check_invoke(r, name, expect_cold=None):
    """Returns a list of what is wrong with an invoke response (empty when all is right)."""
    wrong = []
    if r.status != 200:
        return ["POST /api/v1/functions/%s/invoke -> %s (expected 200)" % (name, r.describe())]
    if r.json() != EXPECTED_RESULT:
        wrong.append("invoke %s: body %r, expected %s" % (name, r.body[:300], json.dumps(EXPECTED_RESULT)))
    for h in ("x-nimbus-invocation-id", "x-nimbus-cold-start", "x-nimbus-duration-ms"):
        if h not in r.headers:
            wrong.append("invoke %s: header %s missing (headers: %s)" % (name, h, sorted(r.headers)))
    cold = r.headers.get("x-nimbus-cold-start")
    if expect_cold is not None and cold is not None and cold.lower() != str(expect_cold).lower():
        wrong.append("invoke %s: X-Nimbus-Cold-Start: %s, expected %s"
                     % (name, cold, str(expect_cold).lower()))
    return wrong


def probe_sandboxes(nimbus, sandbox):
    """The server's default sandbox backend and every backend's availability, from GET /health."""
    try:
        h = nimbus.health()
    except RuntimeError as e:
        problem("GET /health: %s" % e)
        h = {}
    sb = h.get("sandbox") if isinstance(h.get("sandbox"), dict) else {}
    sandbox["health"] = sb
    sandbox["default"] = sb.get("backend")
    listed = sb.get("backends") if isinstance(sb.get("backends"), dict) else {}
    for b in BACKENDS:
        st = listed.get(b)
        if isinstance(st, dict):
            entry = {"health_available": bool(st.get("available")), "health_reason": st.get("reason")}
        else:
            entry = {"health_available": None, "health_reason": "not listed in GET /health (sandbox.backends)"}
        entry.update({"available": None, "reason": None, "create": {}})
        sandbox["backends"][b] = entry
    log("sandbox (GET /health): default %s; %s" % (sandbox["default"], "; ".join(
        "%s %s" % (b, "available" if e["health_available"] else "unavailable (%s)" % e["health_reason"])
        for b, e in sandbox["backends"].items())))


def deploy_checked(nimbus, fn, lang, extra, sanity, sandbox, deployed, backend=None):
    """Creates a function and checks it (first invoke cold, second warm, body and headers).
    Returns whether it can be put under load. backend: the isolation asked for, if any."""
    where = sandbox["backends"][backend]["create"] if backend else {}
    try:
        c = nimbus.create(fn, lang, extra)
    except Unavailable as e:
        where[lang] = {"status": 400, "code": "IsolationUnavailable", "message": str(e), "answer": e.answer}
        if not backend:
            problem("deploy %s: %s" % (fn, e))
        return False
    except RuntimeError as e:
        where[lang] = {"error": str(e)}
        problem("deploy %s: %s" % (fn, e))
        return False
    deployed.append(fn)
    where[lang] = {"status": c.status}
    view = c.json() if isinstance(c.json(), dict) else {}
    sandbox["functions"][fn] = {k: view.get(k) for k in ("isolation", "memory_mb", "cpus", "network")}
    if backend and view.get("isolation") not in (None, backend):
        problem("deploy %s: asked for isolation %s, the server answered isolation %r" % (fn, backend, view.get("isolation")))
    first = nimbus.invoke(fn)
    second = nimbus.invoke(fn)
    sanity[fn] = {
        "spec": extra or {},
        "first": {"status": first.status, "ms": first.ns / 1e6, "headers": {
            k: v for k, v in first.headers.items() if k.startswith("x-nimbus")},
            "body": first.body[:200].decode("utf-8", "replace")},
        "second": {"status": second.status, "ms": second.ns / 1e6, "headers": {
            k: v for k, v in second.headers.items() if k.startswith("x-nimbus")}},
    }
    wrong = check_invoke(first, fn, expect_cold=True) + check_invoke(second, fn, expect_cold=False)
    for w in wrong:
        problem("sanity: " + w)
    if first.status != 200 or second.status != 200:
        problem("Nimbus cannot invoke %s; not measuring it under load" % fn)
        return False
    return True


def settle_availability(sandbox):
    """Whether each backend can run here: creating a function on it decides; the reason shown
    for an unavailable one is the one GET /health gives (else the create answer's message)."""
    for b, st in sandbox["backends"].items():
        answers = list(st["create"].values())
        created = [a for a in answers if a.get("status") == 201]
        refused = [a for a in answers if a.get("code") == "IsolationUnavailable"]
        if created:
            st["available"] = True
            if st["health_available"] is False:
                problem("GET /health lists backend %s as unavailable (%s), yet creating a function on it succeeded"
                        % (b, st["health_reason"]))
        elif refused:
            st["available"] = False
            st["reason"] = st["health_reason"] or refused[0]["message"]
            if st["health_available"]:
                problem("GET /health lists backend %s as available, yet create answered 400 IsolationUnavailable: %s"
                        % (b, refused[0]["message"]))
        else:  # creation failed for another reason (see problems), or was not tried
            st["available"] = st["health_available"]
            st["reason"] = st["health_reason"] if st["health_available"] is False else None
    if not sandbox["default"]:
        seen = (sandbox["functions"].get("bench-py") or {}).get("isolation")
        problem("GET /health names no default sandbox backend; using %r, the isolation bench-py got" % seen)
        sandbox["default"] = seen or "namespace"


# --------------------------------------------------------------------------- peers (other FaaS servers)


PEERS_SRC = os.path.join(BENCH_DIR, "peers")  # the peers' apps and pinned package.json (committed)
PEER_FILES = ("package.json", "index.js", "handler.js", "handler_py.py", "serverless.yml")
PEER_VERSIONS = {"@google-cloud/functions-framework": "5.0.5", "serverless": "3.40.0", "serverless-offline": "13.10.1"}
NPM_REGISTRY = "https://registry.npmjs.org/"
AWS_DUMMY = {"AWS_ACCESS_KEY_ID": "AKIADUMMYBENCH000000", "AWS_SECRET_ACCESS_KEY": "dummy-secret-for-local-bench",
             "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
# target key -> label; the server that serves it and the path
PEER_TARGETS = [
    ("peer_ff_node", "functions-framework node", "ff", "/"),
    ("peer_sls_node", "serverless-offline node", "sls", "/hello"),
    ("peer_sls_node_inproc", "serverless-offline node in-process", "sls_inproc", "/hello"),
    ("peer_sls_python", "serverless-offline python", "sls", "/hellopy"),
]


def installed_version(peer_dir, pkg):
    try:
        with open(os.path.join(peer_dir, "node_modules", pkg, "package.json")) as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return None


def install_peers(workdir):
    """Copies bench/peers/ into bench/work/peers and installs the pinned packages there from the npm
    registry when they are not already installed at those versions. Returns the install info
    (with "error" when it failed)."""
    peer_dir = os.path.join(workdir, "peers")
    info = {"dir": os.path.relpath(peer_dir, ROOT), "registry": NPM_REGISTRY, "wanted": PEER_VERSIONS}
    try:
        os.makedirs(peer_dir, exist_ok=True)
        for name in PEER_FILES:
            shutil.copy2(os.path.join(PEERS_SRC, name), os.path.join(peer_dir, name))
    except OSError as e:
        info["error"] = "cannot prepare %s: %s" % (peer_dir, e)
        return info
    have = {p: installed_version(peer_dir, p) for p in PEER_VERSIONS}
    if have != PEER_VERSIONS:
        npm = shutil.which("npm")
        if not npm:
            info["error"] = "npm is not installed"
            return info
        cmd = [npm, "install", "--no-audit", "--no-fund", "--no-update-notifier", "--registry=" + NPM_REGISTRY]
        log("installing the peers (%s) into %s: %s" % (", ".join("%s@%s" % kv for kv in PEER_VERSIONS.items()),
                                                        info["dir"], " ".join(cmd[1:])))
        t0 = time.monotonic()
        try:
            with open(os.path.join(workdir, "peers-npm.log"), "wb") as lf:
                p = subprocess.run(cmd, cwd=peer_dir, stdout=lf, stderr=subprocess.STDOUT, timeout=420)
            info["install_s"] = round(time.monotonic() - t0, 1)
            if p.returncode != 0:
                info["error"] = "npm install exited %d (see bench/work/peers-npm.log)" % p.returncode
        except (OSError, subprocess.SubprocessError) as e:
            info["error"] = "npm install: %r" % e
        have = {p: installed_version(peer_dir, p) for p in PEER_VERSIONS}
    else:
        info["install_s"] = 0.0  # already installed at the pinned versions
    info["installed"] = have
    if "error" not in info and have != PEER_VERSIONS:
        info["error"] = "installed versions %s differ from the pinned ones" % json.dumps(have)
    return info


class PeerServer:
    def __init__(self, name, cmd, env_extra, peer_dir, workdir, check_path, port, ready_timeout_s=90):
        self.name, self.port = name, port
        self.log_path = os.path.join(workdir, "peer-%s.log" % name)
        self.logf = open(self.log_path, "wb")
        self.cmd = cmd
        self.env_shown = env_extra
        env = dict(os.environ, **env_extra)
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=peer_dir, stdout=self.logf, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True, preexec_fn=_die_with_harness)
        try:
            wait_http_ok(port, check_path, self.proc, ready_timeout_s, method="POST", body=INVOKE_BODY)
        except RuntimeError as e:
            tail = self.log_tail()
            self.stop()
            raise RuntimeError("%s: %s; log: %s" % (name, e, tail[-400:].replace("\n", " | ")))
        self.ready_s = time.monotonic() - t0

    def log_tail(self, n=15):
        try:
            self.logf.flush()
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except (OSError, ValueError):
            return "(no log)"

    def check(self, path):
        """One POST like wrk's; returns what is wrong (None when the answer is 200 and the hello)."""
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            c.request("POST", path, body=INVOKE_BODY, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
            c.close()
        except (OSError, http.client.HTTPException) as e:
            return "POST %s: %r" % (path, e)
        try:
            body = json.loads(data)
        except ValueError:
            body = None
        if r.status != 200 or body != EXPECTED_RESULT:
            return "POST %s -> HTTP %d %r" % (path, r.status, data[:200])
        return None

    def stop(self):
        if self.proc is None:
            return None
        info = stop_process(self.proc, "peer " + self.name, grace_s=10, leftovers_ok=True)
        self.proc = None
        self.logf.close()
        return info


def start_peers(workdir, python_bin, peers):
    """Installs and starts the peer servers; fills peers["targets"][key] with available/reason/url/pid.
    Returns the running PeerServer objects."""
    servers = {}
    inst = install_peers(workdir)
    peers["install"] = inst
    peer_dir = os.path.join(workdir, "peers")
    if "error" in inst:
        problem("peers not installed: %s" % inst["error"])
        for key, _, _, _ in PEER_TARGETS:
            peers["targets"][key] = {"available": False, "reason": "not installed: " + inst["error"]}
        return servers
    py_dir = os.path.dirname(python_bin)
    py_version = sh([python_bin, "--version"])
    peers["python"] = {"bin": python_bin, "version": py_version}
    if not (py_version or "").startswith("Python 3.11"):
        problem("serverless-offline python runs %s (%s), not Python 3.11" % (python_bin, py_version))
    sls_env = dict(AWS_DUMMY, SLS_TELEMETRY_DISABLED="1", SLS_NOTIFICATIONS_MODE="off",
                   PATH=py_dir + os.pathsep + os.environ.get("PATH", ""))  # python3 = the real binary, not a shim
    specs = []
    port = free_port()
    specs.append(("ff", [NODE, "node_modules/@google-cloud/functions-framework/build/src/main.js", "--target=hello",
                         "--port=%d" % port], {"NODE_ENV": "production"}, "/", port))
    for name, extra in (("sls", []), ("sls_inproc", ["--useInProcess"])):
        port = free_port()
        specs.append((name, [NODE, "node_modules/serverless/bin/serverless.js", "offline", "start", "--host", "127.0.0.1",
                             "--httpPort", str(port), "--lambdaPort", str(free_port()), "--websocketPort",
                             str(free_port()), "--noPrependStageInUrl"] + extra, sls_env, "/hello", port))
    peers["servers"] = {}
    for name, cmd, env, path, port in specs:
        shown = {k: ("<dummy>" if k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") else v) for k, v in env.items()}
        if "PATH" in shown:
            shown["PATH"] = py_dir + ":$PATH"
        args = ["<free port>" if i and cmd[i - 1] in ("--httpPort", "--lambdaPort", "--websocketPort") else a
                for i, a in enumerate(cmd)]
        entry = {"cmd_shown": " ".join(["%s=%s" % kv for kv in sorted(shown.items())] + args)
                 .replace(NODE + " ", "node ").replace("--port=%d" % port, "--port=<free port>")}
        peers["servers"][name] = entry
        try:
            srv = PeerServer(name, cmd, env, peer_dir, workdir, path, port)
            servers[name] = srv
            entry["ready_s"] = round(srv.ready_s, 2)
            log("peer %s ready on port %d after %.1f s" % (name, port, srv.ready_s))
        except (RuntimeError, OSError) as e:
            entry["error"] = str(e)
            problem("peer %s did not start: %s" % (name, e))
    for key, label, name, path in PEER_TARGETS:
        srv = servers.get(name)
        if srv is None:
            peers["targets"][key] = {"available": False, "reason": "%s did not start: %s" % (
                name, (peers["servers"].get(name) or {}).get("error", "?")[:300])}
            continue
        wrong = srv.check(path)
        if wrong is None and path != "/":
            wrong = srv.check(path)  # the first call of a serverless-offline function starts it; check a warm one
        if wrong:
            problem("peer %s: %s" % (label, wrong))
            peers["targets"][key] = {"available": False, "reason": wrong}
            continue
        peers["targets"][key] = {"available": True, "reason": None, "server": name,
                                 "url": "http://127.0.0.1:%d%s" % (srv.port, path), "pid": srv.proc.pid}
    return servers


# --------------------------------------------------------------------------- slow import


SLOW_CODE = ("import time\n"
             "time.sleep(0.3)  # a slow import: 300 ms at module load\n"
             "\n"
             "\n"
             "def handler(event, context):\n"
             "    time.sleep(event.get(\"hold_ms\", 0) / 1000)  # keeps the instance busy through the burst\n"
             "    return {\"hello\": \"world\"}\n")
SLOW_N = 8  # concurrent calls (and max_instances) of the burst
SLOW_HOLD_MS = 200  # how long each call of the burst keeps its instance
SLOW_GOAL_MS = 10.0  # the issue's goal for the second and later concurrent instances
SLOW_TEMPLATE_WAIT_S = 10


def slow_pool(nimbus, name):
    for pool in nimbus.health().get("pools") or []:
        if pool.get("function_name") == name:
            return pool
    return {}


def slow_import_round(nimbus, tag, slow):
    """One first cold start of a fresh slow-import function; then, on another fresh one
    (max_instances SLOW_N), a first call, a wait until its pool reports a template, and
    SLOW_N concurrent calls that each hold their instance SLOW_HOLD_MS, each on its own
    already-open connection: one reuses the warm instance, the others need new ones."""
    name = "slow-first-%s" % tag
    try:
        before = nimbus.boot_counts()
        nimbus.create(name, "python", {"code": SLOW_CODE})
        nimbus.api.ensure_open()
        r = nimbus.invoke(name)
        after = nimbus.boot_counts()
        sample = {"tag": tag, "ms": r.ns / 1e6, "status": r.status, "cold_header": r.headers.get("x-nimbus-cold-start"),
                  "server_duration_ms": _num(r.headers.get("x-nimbus-duration-ms")),
                  "init_ms": _num(r.headers.get("x-nimbus-init-duration-ms")),
                  "boots": _boot_delta(before, after)}
        for w in check_invoke(r, name, expect_cold=True):
            problem("slow import: " + w)
        (slow["first"] if r.status == 200 else slow["failures"]).append(sample)
        nimbus.delete(name)
    except RuntimeError as e:
        slow["failures"].append({"tag": tag, "error": str(e)})
        problem("slow import %s: %s" % (name, e))
    name = "slow-burst-%s" % tag
    apis = []
    try:
        c = nimbus.create(name, "python", {"code": SLOW_CODE, "max_instances": SLOW_N})
        got = (c.json() or {}).get("max_instances") if isinstance(c.json(), dict) else None
        if got not in (None, SLOW_N):
            problem("slow import %s: asked for max_instances %d, the server answered %r" % (name, SLOW_N, got))
        apis = [Api(nimbus.port) for _ in range(SLOW_N)]
        for a in apis:
            a.ensure_open()  # never time a TCP connect
        first = nimbus.invoke(name)
        if first.status != 200:
            raise RuntimeError("first call of %s -> %s" % (name, first.describe()))
        t0 = time.monotonic()
        template_ms = None
        while time.monotonic() - t0 < SLOW_TEMPLATE_WAIT_S:
            if slow_pool(nimbus, name).get("template"):
                template_ms = (time.monotonic() - t0) * 1000
                break
            time.sleep(0.02)
        if template_ms is None:
            problem("slow import %s: no template within %d s of the first call" % (name, SLOW_TEMPLATE_WAIT_S))
        before = nimbus.boot_counts()
        barrier = threading.Barrier(SLOW_N)
        results = [None] * SLOW_N
        path = "/api/v1/functions/%s/invoke" % name
        body = json.dumps({"hold_ms": SLOW_HOLD_MS}).encode()

        def one(i):
            try:
                barrier.wait(timeout=10)
                r = apis[i].call("POST", path, raw=body)
                results[i] = {"ms": r.ns / 1e6, "status": r.status,
                              "cold_header": r.headers.get("x-nimbus-cold-start"),
                              "server_duration_ms": _num(r.headers.get("x-nimbus-duration-ms")),
                              "init_ms": _num(r.headers.get("x-nimbus-init-duration-ms")),
                              "body_ok": r.json() == EXPECTED_RESULT}
            except (RuntimeError, threading.BrokenBarrierError) as e:
                results[i] = {"error": str(e)}

        threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(SLOW_N)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
        after = nimbus.boot_counts()
        ok = [x for x in results if x and x.get("status") == 200]
        rnd = {"tag": tag, "calls": results, "ok": len(ok), "boots": _boot_delta(before, after),
               "template_ready_ms": template_ms,
               "cold": sum(1 for x in ok if str(x["cold_header"]).lower() == "true")}
        slow["bursts"].append(rnd)
        if len(ok) < SLOW_N:
            problem("slow import %s: %d of %d concurrent calls failed: %s" % (
                name, SLOW_N - len(ok), SLOW_N, [x for x in results if not x or x.get("status") != 200][:2]))
        if rnd["cold"] != SLOW_N - 1:
            problem("slow import %s: %d of %d concurrent calls were cold starts (expected %d)"
                    % (name, rnd["cold"], len(ok), SLOW_N - 1))
        nimbus.delete(name)
    except RuntimeError as e:
        slow["failures"].append({"tag": tag, "error": str(e)})
        problem("slow import %s: %s" % (name, e))
    finally:
        for a in apis:
            a.close()


def _num(v):
    return float(v) if _is_number(v) else None


def _boot_delta(before, after):
    if before is None or after is None:
        return None
    return {"stem_cell": int(after["true"] - before["true"]), "from_nothing": int(after["false"] - before["false"])}


def slow_report(slow):
    first = slow["first"]
    calls = [x for b in slow["bursts"] for x in b["calls"] if x and x.get("status") == 200]
    cold = [x for x in calls if str(x["cold_header"]).lower() == "true"]
    init = [x["init_ms"] for x in cold if x["init_ms"] is not None]
    boots = [b["boots"] for b in slow["bursts"] if b.get("boots")]
    ready = [b["template_ready_ms"] for b in slow["bursts"] if b.get("template_ready_ms") is not None]
    return {
        "first_client_ms": summarize([x["ms"] for x in first]),
        "first_server_ms": summarize([x["server_duration_ms"] for x in first if x["server_duration_ms"] is not None]),
        "first_init_ms": summarize([x["init_ms"] for x in first if x.get("init_ms") is not None]),
        "first_stem_cells": sum(1 for x in first if (x.get("boots") or {}).get("stem_cell")),
        "template_ready_ms": summarize(ready),
        "burst_client_ms": summarize([x["ms"] for x in calls]),
        "burst_cold_client_ms": summarize([x["ms"] for x in cold]),
        "burst_cold_server_ms": summarize([x["server_duration_ms"] for x in cold if x["server_duration_ms"] is not None]),
        "burst_later_init_ms": summarize(init),
        "burst_cold": len(cold),
        "burst_calls": sum(len(b["calls"]) for b in slow["bursts"]),
        "burst_ok": len(calls),
        "bursts": len(slow["bursts"]),
        "burst_snapshot_boots": sum(b["stem_cell"] for b in boots),
        "burst_from_nothing": sum(b["from_nothing"] for b in boots),
        "within_goal": sum(1 for v in init if v <= SLOW_GOAL_MS),
        "goal_ms": SLOW_GOAL_MS,
        "hold_ms": SLOW_HOLD_MS,
        "failures": len(slow["failures"]),
    }


# --------------------------------------------------------------------------- phases


SHAPES = {"lat": (1, 1), "tput": (2, 32)}  # wrk threads, connections


def target(key, label, url, pid, shapes, duration=None):
    """duration: seconds per measured run of this target (None: cfg.duration)."""
    return {"key": key, "label": label, "url": url, "pid": pid, "shapes": shapes, "duration": duration}


def rotate(items, k):
    k = k % len(items) if items else 0
    return items[k:] + items[:k]


def load_target(tgt, cfg, warmed):
    """For each shape of the target (1 connection, then 32 connections when it has both):
    a warm-up, then the measured run. The warm-up lasts cfg.warmup before the first measured
    run of a target and shape, cfg.rewarm before its later ones (its instances stay alive
    between repetitions: the idle TTL is 10 minutes)."""
    out = {}
    label, url, pid, key = tgt["label"], tgt["url"], tgt["pid"], tgt["key"]
    for shape in tgt["shapes"]:
        t, c = SHAPES[shape]
        wkey = "%s_%s" % (key, shape)
        warm_s = cfg.rewarm if wkey in warmed else cfg.warmup
        warmed.add(wkey)
        w = run_wrk(url, t, c, warm_s, pid)
        if "error" in w:
            problem("%s warm-up -t%d -c%d: %s" % (label, t, c, w["error"]))
        r = run_wrk(url, t, c, tgt.get("duration") or cfg.duration, pid)
        r["requested_s"] = tgt.get("duration") or cfg.duration
        r["warmup"] = {k: w.get(k) for k in ("requests", "rps", "http_errors", "socket_errors", "error")}
        r["warmup"]["s"] = warm_s
        if "error" in r:
            problem("%s -t%d -c%d: %s" % (label, t, c, r["error"]))
        elif r["http_errors"] or r["socket_errors"]:
            problem("%s -t%d -c%d: %d non-2xx responses (first: %s), %d socket errors (%s) of %d requests"
                    % (label, t, c, r["http_errors"], r["first_non2xx"] or "-", r["socket_errors"],
                       json.dumps(r["errors"]), r["requests"]))
        if "rps" in r:
            log("  %-22s %-4s p50 %8s  p99 %8s  %7.0f req/s  cpu: wrk %3.0f%% server %3.0f%% other %3.0f%%"
                " steal %2.0f%%" % (label, "-c%d" % c, fmt_us(r["p50_us"]), fmt_us(r["p99_us"]), r["rps"],
                                    r["wrk_cpu_pct"], r["server_cpu_pct"] or 0, r["other_cpu_pct"] or 0,
                                    r["steal_pct"] or 0))
        out["%s_%s" % (key, shape)] = r
    return out


def process_once(cmd):
    t0 = time.perf_counter_ns()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    t1 = time.perf_counter_ns()
    ok = p.returncode == 0 and json.loads(p.stdout or b"null") == EXPECTED_RESULT
    return (t1 - t0) / 1e6, ok, p


def process_commands(python_bin):
    return {
        "python": [python_bin, "-c", 'import json; print(json.dumps({"hello": "world"}))'],
        "node": [NODE, "-e", "console.log(JSON.stringify({hello: 'world'}))"],
    }


def new_series(backend, extra):
    return {"backend": backend, "extra": extra, "samples": [], "failures": [], "consecutive_failures": 0,
            "unavailable": None, "isolation_seen": None}


def cold_series(sandbox):
    """The cold-start series: one per available backend, deployed with "isolation" and "cpus": 1 (so
    that each sandbox is created on the request path: the server keeps pre-started "stem cells" only
    for functions with the default confinement on the default backend), and "default", deployed with
    the defaults (the default backend, stem cells allowed: what a user gets)."""
    series = [(b, b, {"isolation": b, "cpus": ISO_CPUS}) for b in BACKENDS
              if sandbox["backends"][b]["available"] is not False]
    series.append(("default", sandbox["default"], {}))
    return series


def cold_sample(nimbus, key, lang, i, cfg, s):
    """One cold start: create a fresh function, time its first invoke, delete it. Whether the
    instance came from a stem cell is read from GET /metrics around it (outside the timing)."""
    backend = s["backend"]
    name = "cold-%s-%s-%d" % (key, SHORT[lang], i)
    try:
        before = nimbus.boot_counts()
        c = nimbus.create(name, lang, s["extra"])
        iso = (c.json() or {}).get("isolation") if isinstance(c.json(), dict) else None
        if s["isolation_seen"] is None:
            s["isolation_seen"] = iso
            if iso is not None and iso != backend:
                problem("cold start %s: the function runs on isolation %r, expected %r" % (name, iso, backend))
        nimbus.api.ensure_open()  # never time a TCP connect
        r = nimbus.invoke(name)
        after = nimbus.boot_counts()
        stem = None
        if before is not None and after is not None:
            if after["true"] - before["true"] >= 1 and after["false"] == before["false"]:
                stem = True
            elif after["false"] - before["false"] >= 1 and after["true"] == before["true"]:
                stem = False
        wrong = check_invoke(r, name, expect_cold=True)
        sample = {"i": i, "ms": r.ns / 1e6, "status": r.status, "create_ms": c.ns / 1e6,
                  "cold_header": r.headers.get("x-nimbus-cold-start"),
                  "server_duration_ms": r.headers.get("x-nimbus-duration-ms"), "stem_cell": stem}
        if r.status == 200:
            s["samples"].append(sample)
            s["consecutive_failures"] = 0
            if stem and key != "default":
                problem("cold start %s: the instance came from a pre-started stem cell, so this sample does "
                        "not measure creating a sandbox" % name)
        else:
            s["failures"].append(sample)
            s["consecutive_failures"] += 1
        for w in wrong:
            problem("cold start: " + w)
        t0 = time.perf_counter_ns()
        nimbus.delete(name)
        sample["delete_ms"] = (time.perf_counter_ns() - t0) / 1e6
    except Unavailable as e:
        s["unavailable"] = str(e)
        problem("cold start %s: the server says isolation %s is unavailable (%s); no more attempts"
                % (name, backend, e))
        return
    except RuntimeError as e:
        s["failures"].append({"i": i, "error": str(e)})
        s["consecutive_failures"] += 1
        problem("cold start %s: %s" % (name, e))
    if s["consecutive_failures"] >= 3:
        problem("cold start %s, series %s: 3 failures in a row, no more attempts" % (lang, key))
    time.sleep(cfg.cold_gap)


def cold_and_process_block(nimbus, cmds, start, count, cfg, cold, procs, deadline):
    """Iterations [start, start+count): for each, per runtime one cold start of every series
    (in an order that rotates with the iteration), then one new process per runtime, so that
    all the series are interleaved in time."""
    for i in range(start, start + count):
        if time.monotonic() > deadline:
            problem("cold-start/process phase hit its time budget at iteration %d of %d" % (i, cfg.cold_n))
            return False
        for lang in ("python", "node"):
            for key in rotate(list(cold), i):
                s = cold[key][lang]
                if nimbus is None or s["unavailable"] or s["consecutive_failures"] >= 3:
                    continue
                n_b = cfg.cold_n_backend.get(key, cfg.cold_n)
                if (i + 1) * n_b // cfg.cold_n == i * n_b // cfg.cold_n:
                    continue  # a backend with fewer samples: spread them evenly over the iterations
                cold_sample(nimbus, key, lang, i, cfg, s)
        for lang in ("python", "node"):
            ms, ok, p = process_once(cmds[lang])
            if ok:
                procs[lang]["samples"].append(ms)
            else:
                procs[lang]["failures"] += 1
                problem("new process %s: exit %s, stdout %r, stderr %r"
                        % (lang, p.returncode, p.stdout[:200], p.stderr[:200]))
    return True


# --------------------------------------------------------------------------- formatting


def fmt_us(us):
    if us is None:
        return "—"
    if us < 1000:
        return "%d µs" % round(us)
    if us < 100000:
        return "%.2f ms" % (us / 1000.0)
    return "%.0f ms" % (us / 1000.0)


def fmt_diff_us(us):
    if us is None:
        return "—"
    return ("−" if us < 0 else "+") + fmt_us(abs(us))


def fmt_ms(v):
    return "—" if v is None else "%.1f ms" % v


def fmt_diff_ms(v):
    return "—" if v is None else "%s%.1f ms" % ("−" if v < 0 else "+", abs(v))


def fmt_rps(v):
    return "—" if v is None else "{:,.0f}".format(v)


def fmt_ratio(v):
    if v is None:
        return "—"
    if v >= 10:
        return "×%.0f" % v
    return "×%.2f" % v if v >= 0.1 else "×%.2g" % v


def fmt_cpu(v):
    return "—" if v is None else "%.0f%%" % v


def sh(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20, cwd=ROOT)
        return p.stdout.decode("utf-8", "replace").strip()
    except (OSError, subprocess.SubprocessError):
        return None


def machine_info(java_home, python_bin):
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    java_v = sh([os.path.join(java_home, "bin", "java"), "-version"])
    wrk_v = sh(["wrk", "--version"])
    if wrk_v:
        wrk_v = wrk_v.split()[1] if len(wrk_v.split()) > 1 else wrk_v
    return {
        "nproc": os.cpu_count(),
        "memory_gib": mem,
        "kernel": platform.release(),
        "cpu_model": cpu,
        "loadavg_at_start": os.getloadavg(),
        "versions": {
            "java": java_v.splitlines()[0] if java_v else None,
            "node": sh([NODE, "--version"]),
            "python_baseline": sh([python_bin, "--version"]),
            "python_harness": platform.python_version(),
            "wrk": wrk_v,
        },
    }


# --------------------------------------------------------------------------- main


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Nimbus benchmark harness (see docs/benchmarks.md)")
    ap.add_argument("--quick", action="store_true", help="1 repetition, 3 s runs, 5 cold starts per runtime and backend")
    ap.add_argument("--no-nimbus", action="store_true", help="only the references (floor, new process)")
    ap.add_argument("--reps", type=int)
    ap.add_argument("--duration", type=int, help="seconds per measured wrk run")
    ap.add_argument("--warmup", type=int, help="seconds of warm-up before the first measured run of each target (3)")
    ap.add_argument("--rewarm", type=int, help="seconds of warm-up before its later measured runs (1)")
    ap.add_argument("--cold-n", type=int, help="cold starts per runtime and sandbox backend, and new processes "
                                               "per runtime (20; quick 5)")
    ap.add_argument("--cold-n-gvisor", type=int, help="cold starts per runtime on gvisor, whose starts are slow "
                                                      "(10; quick 3; at most --cold-n)")
    ap.add_argument("--no-peers", action="store_true", help="skip the peers (functions-framework, serverless-offline)")
    ap.add_argument("--peer-duration", type=int, help="seconds per measured run of the peers and of the Nimbus "
                                                      "\"cpus\": 1 hellos (5; quick 3)")
    ap.add_argument("--slow-rounds", type=int, help="slow-import rounds per repetition (2; quick 1)")
    ap.add_argument("--no-runtimes", action="store_true", help="skip the Go, Java and WebAssembly measurements")
    ap.add_argument("--runtime-cold-n", type=int, help="cold starts per compiled or wasm runtime (10; quick 3)")
    ap.add_argument("--runtime-duration", type=int, help="seconds of warm load per compiled or wasm runtime "
                    "(5; quick 3)")
    ap.add_argument("--output-dir", default=os.path.join(ROOT, "docs"),
                    help="where benchmarks.md and benchmarks/*.json go (default: docs/)")
    ap.add_argument("--no-write", action="store_true", help="print only, write no file")
    ap.add_argument("--java-home", default=os.environ.get("JAVA_HOME") or JAVA_HOME_DEFAULT)
    ap.add_argument("--nimbus-cmd", help=argparse.SUPPRESS)  # test stand-in: "cmd {port} {data_dir}"
    cfg = ap.parse_args(argv)
    cfg.mode = "quick" if cfg.quick else "full"
    cfg.reps = max(1, min(cfg.reps or (1 if cfg.quick else 3), 10))
    cfg.duration = max(1, min(cfg.duration or (3 if cfg.quick else 10), 120))
    cfg.warmup = max(1, min(cfg.warmup or 3, 60))
    cfg.rewarm = max(1, min(cfg.rewarm or 1, 60))
    cfg.cold_n = max(1, min(cfg.cold_n or (5 if cfg.quick else 20), 500))
    cfg.cold_n_backend = {"gvisor": max(1, min(cfg.cold_n_gvisor or (3 if cfg.quick else 10), cfg.cold_n))}
    cfg.peer_duration = max(1, min(cfg.peer_duration or (3 if cfg.quick else 5), 120))
    cfg.slow_rounds = max(0, min(cfg.slow_rounds if cfg.slow_rounds is not None else (1 if cfg.quick else 2), 10))
    cfg.runtime_cold_n = max(1, min(cfg.runtime_cold_n or (3 if cfg.quick else 10), 100))
    cfg.runtime_duration = max(1, min(cfg.runtime_duration or (3 if cfg.quick else 5), 60))
    cfg.cold_gap = 0.2  # pause after each cold start: the deleted sandbox is torn down, a taken stem cell replaced
    cfg.cold_budget_s = 60 + 8.0 * cfg.cold_n  # hard cap on the whole cold/process phase
    cfg.ready_timeout_s = 120
    return cfg


def main(argv):
    cfg = parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (bench/run installs it)")
    started = datetime.datetime.now(datetime.timezone.utc)
    workdir = os.path.join(BENCH_DIR, "work")
    os.makedirs(workdir, exist_ok=True)
    python_bin = sh(["python3", "-c", "import sys;print(sys.executable)"]) or "/usr/bin/python3"
    python_bin = python_bin.splitlines()[-1]
    cmds = process_commands(python_bin)
    info = machine_info(cfg.java_home, python_bin)
    commit = sh(["git", "rev-parse", "--short", "HEAD"])
    if commit and (" " in commit or "\n" in commit):
        commit = None
    log("mode %s: %d repetition(s), warm-up %d s, runs %d s, %d cold starts per runtime"
        % (cfg.mode, cfg.reps, cfg.warmup, cfg.duration, cfg.cold_n))

    floor = nimbus = None
    load_reps = []
    procs = {l: {"samples": [], "failures": 0} for l in FUNCTIONS}
    cold = {}  # backend -> runtime -> series
    sandbox = {"default": None, "health": None, "backends": {}, "iso_cpus": ISO_CPUS, "functions": {}}
    server_info = {}
    stop_info = {}
    peers = {"targets": {}, "servers": {}, "install": None, "skipped": cfg.no_peers}
    peer_servers = {}
    slow = {"first": [], "bursts": [], "failures": []}
    more_runtimes = None
    sanity = {}
    deployed = []
    aborted = None
    try:
        floor = Floor(workdir)
        log("floor server on port %d" % floor.port)
        blocks = [[target("floor", "Node http floor", floor.url, floor.proc.pid, ("lat", "tput"))]]
        if not cfg.no_peers:
            peer_servers = start_peers(workdir, python_bin, peers)
            peer_blocks = {}
            for key, label, name, _ in PEER_TARGETS:
                t = peers["targets"][key]
                if t["available"]:
                    peer_blocks.setdefault(name.split("_")[0] if key != "peer_sls_python" else "sls_py", []).append(
                        target(key, label, t["url"], t["pid"], ("lat", "tput"), cfg.peer_duration))
            blocks += list(peer_blocks.values())
        else:
            for key, _, _, _ in PEER_TARGETS:
                peers["targets"][key] = {"available": False, "reason": "skipped (--no-peers)"}
        if not cfg.no_nimbus:
            nimbus = Nimbus(workdir, cfg.java_home, cfg.ready_timeout_s, cfg.nimbus_cmd)
            log("Nimbus ready on port %d after %.2f s" % (nimbus.port, nimbus.ready_s))
            server_info = {"cmd": " ".join(nimbus.cmd),
                           "env": nimbus.env_shown,
                           "cmd_shown": " ".join(["%s=%s" % kv for kv in sorted(nimbus.env_shown.items())] + nimbus.cmd)
                           .replace(nimbus.data_dir, "<temp dir>")
                           .replace(ROOT + "/", "").replace(workdir + "/", "bench/work/").replace(str(nimbus.port), "<free port>"),
                           "ready_s": round(nimbus.ready_s, 3),
                           "ready_body": nimbus.ready_body, "log": os.path.relpath(nimbus.log_path, ROOT),
                           "jar": nimbus.jar_info}
            probe_sandboxes(nimbus, sandbox)
            # the functions a user gets: server default backend, default memory_mb and CPU share
            for lang in ("python", "node"):
                fn = "bench-" + SHORT[lang]
                if deploy_checked(nimbus, fn, lang, None, sanity, sandbox, deployed):
                    blocks.append([target("nimbus_" + lang, "Nimbus %s" % lang, nimbus.invoke_url(fn),
                                          nimbus.proc.pid, ("lat", "tput"))])
            # the same hellos with one full core ("cpus": 1): what the sandbox can do when not CPU-limited
            block = []
            for lang in ("python", "node"):
                fn = "bench-%s-cpus1" % SHORT[lang]
                if deploy_checked(nimbus, fn, lang, {"cpus": ISO_CPUS}, sanity, sandbox, deployed):
                    block.append(target("nimbus_%s_cpus1" % lang, "Nimbus %s cpus %g" % (lang, ISO_CPUS),
                                        nimbus.invoke_url(fn), nimbus.proc.pid, ("lat", "tput"), cfg.peer_duration))
            if block:
                blocks.append(block)
            # the sandbox comparison: one function per runtime and backend, one full core each
            for lang in ("python", "node"):
                block = []
                for backend in BACKENDS:
                    fn = "iso-%s-%s" % (backend, SHORT[lang])
                    if deploy_checked(nimbus, fn, lang, {"isolation": backend, "cpus": ISO_CPUS}, sanity, sandbox,
                                      deployed, backend=backend):
                        block.append(target("iso_%s_%s" % (backend, lang), "%s %s cpus %g" % (backend, lang, ISO_CPUS),
                                            nimbus.invoke_url(fn), nimbus.proc.pid, ("lat",)))
                if block:
                    blocks.append(block)
            settle_availability(sandbox)
            for backend in BACKENDS:
                if sandbox["backends"][backend]["available"] is False:
                    log("sandbox backend %s unavailable: %s" % (backend, sandbox["backends"][backend]["reason"]))
            cold = {key: {l: new_series(b, extra) for l in FUNCTIONS} for key, b, extra in cold_series(sandbox)}
            nimbus.api.close()  # no idle connection of ours during the load runs

        per_rep = int(math.ceil(cfg.cold_n / cfg.reps))
        cold_deadline = None
        done_iters = 0
        warmed = set()
        for rep in range(cfg.reps):
            order = [t for block in rotate(blocks, rep) for t in rotate(block, rep)]
            log("repetition %d/%d: %s" % (rep + 1, cfg.reps, ", ".join(t["label"] for t in order)))
            results = {"order": [t["key"] for t in order]}
            for tgt in order:
                results.update(load_target(tgt, cfg, warmed))
            load_reps.append(results)
            count = min(per_rep, cfg.cold_n - done_iters)
            if count > 0:
                log("cold starts (%s) and new processes: iterations %d..%d"
                    % (", ".join(cold) or "no Nimbus", done_iters, done_iters + count - 1))
                if cold_deadline is None:
                    cold_deadline = time.monotonic() + cfg.cold_budget_s
                else:
                    cold_deadline = max(cold_deadline, time.monotonic() + cfg.cold_budget_s / cfg.reps)
                if nimbus is not None:
                    nimbus.api.ensure_open()
                cold_and_process_block(nimbus, cmds, done_iters, count, cfg, cold, procs, cold_deadline)
                if nimbus is not None:
                    nimbus.api.close()
                done_iters += count
            if nimbus is not None and cfg.slow_rounds:
                log("slow-import function: %d round(s) (a first cold start, then a burst of %d concurrent calls)"
                    % (cfg.slow_rounds, SLOW_N))
                nimbus.api.ensure_open()
                for k in range(cfg.slow_rounds):
                    slow_import_round(nimbus, "%d-%d" % (rep + 1, k + 1), slow)
                nimbus.api.close()
                sr = slow_report(slow)
                log("  slow import so far: first cold p50 %s (server %s); later instances: init p50 %s max %s, "
                    "%d/%d within %.0f ms"
                    % (fmt_ms(sr["first_client_ms"].get("p50")), fmt_ms(sr["first_server_ms"].get("p50")),
                       fmt_ms(sr["burst_later_init_ms"].get("p50")), fmt_ms(sr["burst_later_init_ms"].get("max")),
                       sr["within_goal"], sr["burst_later_init_ms"].get("n", 0), SLOW_GOAL_MS))
        if nimbus is not None and not cfg.no_runtimes:
            log("Go, Java and WebAssembly: %d cold starts each, warm %d s each, fib(30)" % (cfg.runtime_cold_n,
                                                                                          cfg.runtime_duration))
            nimbus.api.ensure_open()
            more_runtimes = runtimes.measure(nimbus, run_wrk, summarize, log, problem, cfg.runtime_cold_n,
                                             cfg.runtime_duration, NODE)
            nimbus.api.close()
        if nimbus is not None:
            for fn in deployed:
                nimbus.delete(fn)
    except (Stop, KeyboardInterrupt) as e:
        aborted = "interrupted: %s" % (e or "SIGINT")
        problem(aborted)
    except RuntimeError as e:
        aborted = str(e)
        problem(aborted)
        if nimbus is not None:
            log("--- last lines of the Nimbus log ---\n" + nimbus.log_tail())
    finally:
        if nimbus is not None:
            stop_info["nimbus"] = nimbus.stop()
            shutil.rmtree(nimbus.data_dir, ignore_errors=True)
        if floor is not None:
            stop_info["floor"] = floor.stop()
        for name, srv in peer_servers.items():
            stop_info["peer_" + name] = srv.stop()

    finished = datetime.datetime.now(datetime.timezone.utc)
    info["loadavg_at_end"] = os.getloadavg()
    if nimbus is not None:
        server_info["log_head"] = nimbus_log_head(nimbus.log_path)
    report = build_report(cfg, started, finished, commit, info, python_bin, cmds, load_reps, cold, procs,
                          server_info, stop_info, sanity, aborted, sandbox, peers, slow)
    report["runtimes"] = more_runtimes
    table = render_table(report, for_terminal=True)
    print(table)
    for title, text in render_sandbox_tables(report) + render_peer_tables(report) + render_runtime_tables(report):
        print("\n" + title + "\n" + text)
    if PROBLEMS:
        print("\nProblems:\n" + "\n".join("- " + p for p in PROBLEMS))
    if not cfg.no_write and load_reps:
        write_outputs(cfg, report)
    elif not load_reps:
        log("nothing measured; no file written")
    return 1 if aborted else 0


# --------------------------------------------------------------------------- report


LOAD_ROWS = [
    # key (target key + shape), label, reference key
    ("floor_lat", "Node http floor 1 conn", None),
    ("nimbus_python_lat", "Nimbus python warm 1 conn (defaults)", "floor_lat"),
    ("nimbus_node_lat", "Nimbus node warm 1 conn (defaults)", "floor_lat"),
    ("nimbus_python_cpus1_lat", "Nimbus python warm 1 conn (cpus 1)", "floor_lat"),
    ("nimbus_node_cpus1_lat", "Nimbus node warm 1 conn (cpus 1)", "floor_lat"),
    ("peer_ff_node_lat", "functions-framework node 1 conn", "floor_lat"),
    ("peer_sls_node_lat", "serverless-offline node 1 conn", "floor_lat"),
    ("peer_sls_node_inproc_lat", "serverless-offline node in-process 1 conn", "floor_lat"),
    ("peer_sls_python_lat", "serverless-offline python 1 conn", "floor_lat"),
    ("floor_tput", "Node http floor 32 conns", None),
    ("nimbus_python_tput", "Nimbus python 32 conns (defaults)", "floor_tput"),
    ("nimbus_node_tput", "Nimbus node 32 conns (defaults)", "floor_tput"),
    ("nimbus_python_cpus1_tput", "Nimbus python 32 conns (cpus 1)", "floor_tput"),
    ("nimbus_node_cpus1_tput", "Nimbus node 32 conns (cpus 1)", "floor_tput"),
    ("peer_ff_node_tput", "functions-framework node 32 conns", "floor_tput"),
    ("peer_sls_node_tput", "serverless-offline node 32 conns", "floor_tput"),
    ("peer_sls_node_inproc_tput", "serverless-offline node in-process 32 conns", "floor_tput"),
    ("peer_sls_python_tput", "serverless-offline python 32 conns", "floor_tput"),
]

# Nimbus against the peers: (Nimbus target, peer target, goal for Nimbus 32-conn req/s ÷ peer's, from the issue)
PEER_RATIOS = [
    ("nimbus_node", "peer_ff_node", 1.5),
    ("nimbus_python", "peer_sls_python", 2.0),
    ("nimbus_node", "peer_sls_node", None),
    ("nimbus_node", "peer_sls_node_inproc", None),
]
NIMBUS_VARIANTS = [("", "defaults"), ("_cpus1", "cpus %g" % ISO_CPUS)]


def peer_ratios(cfg, load_reps, peers):
    """Nimbus (defaults and cpus 1) against each peer, paired per repetition: 32-conn req/s ratio
    (Nimbus ÷ peer, > 1 is more throughput) and p50/p99 ratios at 1 connection (< 1 is faster)."""
    labels = {k: l for k, l, _, _ in PEER_TARGETS}
    out = []
    for suffix, variant in NIMBUS_VARIANTS:
        for nim, peer, goal in PEER_RATIOS:
            lang = nim.split("_")[1]
            row = {"nimbus": "Nimbus %s (%s)" % (lang, variant), "peer": labels[peer], "goal_rps_ratio": goal,
                   "nimbus_key": nim + suffix, "peer_key": peer}
            t = ((peers or {}).get("targets") or {}).get(peer) or {}
            lat = load_row(cfg, load_reps, nim + suffix + "_lat", "", peer + "_lat", "")
            tput = load_row(cfg, load_reps, nim + suffix + "_tput", "", peer + "_tput", "")
            if not t.get("available") or not lat or not tput or not lat.get("pairs") or not tput.get("pairs"):
                row.update(kind="unavailable", reason=t.get("reason") or ("Nimbus %s not measured" % (nim + suffix)
                                                                          if t.get("available") else "not measured"))
                out.append(row)
                continue
            row.update(kind="ratio", pairs=min(lat["pairs"], tput["pairs"]), rps_ratio=tput["rps_ratio"],
                       p50_ratio=lat["p50_ratio"], p99_ratio=lat["p99_ratio"], p99_raw_ratio=lat["p99_raw_ratio"],
                       p50_diff_us=lat["p50_diff_us"], tput_p50_ratio=tput["p50_ratio"],
                       nimbus_rps=tput["rps"], nimbus_p50_us=lat["p50_us"], nimbus_p99_us=lat["p99_us"],
                       meets_goal=(tput["rps_ratio"] >= goal) if goal and tput["rps_ratio"] is not None else None)
            out.append(row)
    return out


def load_row(cfg, load_reps, key, label, ref=None, ref_label=None):
    """The median over repetitions of one load target and shape; with ref, the paired ratios
    (per repetition, then their median). None when it never ran."""
    runs = [r[key] for r in load_reps if key in r]
    if not runs:
        return None
    ok = [r for r in runs if "rps" in r]
    row = {
        "key": key, "label": label, "kind": "load", "reps": len(runs),
        "p50_us": median([r["p50_us"] for r in ok]),
        "p99_us": median([r["p99_us"] for r in ok]),
        "p50_raw_us": median([r.get("p50_raw_us") for r in ok]),
        "p99_raw_us": median([r.get("p99_raw_us") for r in ok]),
        "rps": median([r["rps"] for r in ok]),
        "mean_us": median([r["latency_us"]["mean"] for r in ok]),
        "duration_s": max((r.get("requested_s") or cfg.duration) for r in runs),
        "rps_min": min([r["rps"] for r in ok], default=None),
        "rps_max": max([r["rps"] for r in ok], default=None),
        "wrk_cpu_pct": median([r["wrk_cpu_pct"] for r in ok]),
        "server_cpu_pct": median([r["server_cpu_pct"] for r in ok]),
        "other_cpu_pct": median([r.get("other_cpu_pct") for r in ok]),
        "steal_pct": median([r.get("steal_pct") for r in ok]),
        "http_errors": sum(r.get("http_errors", 0) for r in runs),
        "socket_errors": sum(r.get("socket_errors", 0) for r in runs),
        "failed_runs": sum(1 for r in runs if "error" in r),
        "reference": ref_label,
    }
    if ref:
        # paired: the ratio within each repetition, then the median of those ratios
        pr = [(r[key], r[ref]) for r in load_reps if key in r and ref in r
              and "rps" in r[key] and "rps" in r[ref]]
        row["pairs"] = len(pr)
        row["p50_ratio"] = median([a["p50_us"] / b["p50_us"] for a, b in pr if b["p50_us"]])
        row["p99_ratio"] = median([a["p99_us"] / b["p99_us"] for a, b in pr if b["p99_us"]])
        row["p99_raw_ratio"] = median([a["p99_raw_us"] / b["p99_raw_us"] for a, b in pr
                                       if a.get("p99_raw_us") is not None and b.get("p99_raw_us")])
        row["rps_ratio"] = median([a["rps"] / b["rps"] for a, b in pr if b["rps"]])
        row["p50_diff_us"] = median([a["p50_us"] - b["p50_us"] for a, b in pr])
        row["p99_diff_us"] = median([a["p99_us"] - b["p99_us"] for a, b in pr])
    return row


def cold_stats(series):
    ms = [s["ms"] for s in series["samples"]]
    srv = [float(s["server_duration_ms"]) for s in series["samples"] if _is_number(s["server_duration_ms"])]
    return summarize(ms), summarize(srv)


def build_report(cfg, started, finished, commit, info, python_bin, cmds, load_reps, cold, procs,
                 server_info, stop_info, sanity, aborted, sandbox, peers=None, slow=None):
    rows = []
    labels = {k: l for k, l, _ in LOAD_ROWS}
    for key, label, ref in LOAD_ROWS:
        row = load_row(cfg, load_reps, key, label, ref, labels.get(ref))
        if row is None:
            if key.startswith("nimbus_") and not cfg.no_nimbus:
                rows.append({"key": key, "label": label, "kind": "missing", "reference": labels.get(ref)})
            elif key.startswith("peer_"):
                t = ((peers or {}).get("targets") or {}).get(key.rsplit("_", 1)[0]) or {}
                rows.append({"key": key, "label": label, "kind": "unavailable", "reference": labels.get(ref),
                             "reason": t.get("reason") or "not measured"})
            continue
        rows.append(row)
    default = sandbox.get("default")
    for lang in ("python", "node"):
        c = cold.get("default", {}).get(lang)
        if c and (c["samples"] or c["failures"]):
            st, srv = cold_stats(c)
            not_cold = sum(1 for s in c["samples"] if str(s["cold_header"]).lower() != "true")
            pst = summarize(procs[lang]["samples"])
            rows.append({
                "key": "cold_" + lang, "label": "cold start %s" % lang, "kind": "cold",
                "n": st["n"], "p50_us": _ms_to_us(st.get("p50")), "p99_us": _ms_to_us(st.get("p99")),
                "mean_us": _ms_to_us(st.get("mean")), "stats_ms": st,
                "server_duration_ms": srv, "backend": default,
                "stem_cells": sum(1 for s in c["samples"] if s.get("stem_cell")),
                "not_cold": not_cold, "failures": len(c["failures"]),
                "reference": "new process %s" % lang,
                "p50_ratio": (st["p50"] / pst["p50"]) if st.get("p50") and pst.get("p50") else None,
            })
    for lang in ("python", "node"):
        p = procs[lang]
        if p["samples"] or p["failures"]:
            st = summarize(p["samples"])
            rows.append({
                "key": "process_" + lang, "label": "new process %s" % lang, "kind": "process",
                "n": st["n"], "p50_us": _ms_to_us(st.get("p50")), "p99_us": _ms_to_us(st.get("p99")),
                "mean_us": _ms_to_us(st.get("mean")), "stats_ms": st, "failures": p["failures"],
                "cmd": cmds[lang],
            })
    return {
        "schema": 2,
        "started_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "finished_utc": finished.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mode": cfg.mode,
        "commit": commit,
        "aborted": aborted,
        "machine": info,
        "config": {
            "repetitions": cfg.reps, "warmup_s": cfg.warmup, "duration_s": cfg.duration,
            "latency": "wrk -t1 -c1", "throughput": "wrk -t2 -c32", "wrk_timeout": "5s",
            "request": "POST, Content-Type: application/json, body " + INVOKE_BODY.decode(),
            "rewarm_s": cfg.rewarm,
            "cold_n": cfg.cold_n, "cold_n_backend": cfg.cold_n_backend, "cold_gap_s": cfg.cold_gap, "python_baseline_bin": python_bin,
            "functions": FUNCTIONS, "no_nimbus": cfg.no_nimbus,
            "peer_duration_s": cfg.peer_duration, "slow_rounds_per_rep": cfg.slow_rounds,
            "runtime_cold_n": cfg.runtime_cold_n, "runtime_duration_s": cfg.runtime_duration,
        },
        "nimbus": server_info,
        "sanity": sanity,
        "stop": stop_info,
        "rows": rows,
        "sandbox": sandbox_report(cfg, load_reps, cold, procs, sandbox),
        "peers": dict(peers or {}, ratios=peer_ratios(cfg, load_reps, peers or {})),
        "slow_import": dict(slow or {}, summary=slow_report(slow) if slow and (slow["first"] or slow["bursts"]) else None,
                            code=SLOW_CODE, concurrent=SLOW_N),
        "load_runs": load_reps,
        "cold_starts": {b: {l: {k: v for k, v in cold[b][l].items() if k != "consecutive_failures"}
                            for l in cold[b]} for b in cold},
        "new_process_ms": {l: procs[l]["samples"] for l in procs},
        "problems": PROBLEMS,
    }


def sandbox_report(cfg, load_reps, cold, procs, sandbox):
    """The two backend comparisons: time to create a sandbox (cold start per backend, against
    the process backend) and the warm-invocation overhead (1 connection, against process)."""
    out = dict(sandbox)
    if cfg.no_nimbus:
        out.update(cold_rows=[], warm_rows=[])
        return out
    default = sandbox.get("default")
    cold_rows, warm_rows = [], []
    for lang in ("python", "node"):
        ref_st = None
        pc = cold.get("process", {}).get(lang)
        if pc and pc["samples"]:
            ref_st, ref_srv = cold_stats(pc)
        for key in list(BACKENDS) + ["default"]:
            b = default if key == "default" else key
            st_b = sandbox["backends"].get(b) or {}
            c = cold.get(key, {}).get(lang)
            row = {"series": key, "backend": b, "lang": lang, "default": b == default,
                   "deployed_with": json.dumps(c["extra"]) if c else None}
            if st_b.get("available") is False or (c and c["unavailable"]):
                row.update(kind="unavailable", reason=st_b.get("reason") or (c or {}).get("unavailable"))
            elif not c or not c["samples"]:
                row.update(kind="missing", failures=len(c["failures"]) if c else 0)
            else:
                st, srv = cold_stats(c)
                row.update(kind="cold", n=st["n"], stats_ms=st, server_duration_ms=srv,
                           failures=len(c["failures"]),
                           not_cold=sum(1 for s in c["samples"] if str(s["cold_header"]).lower() != "true"),
                           create_ms=summarize([s["create_ms"] for s in c["samples"] if "create_ms" in s]),
                           stem_cells=sum(1 for s in c["samples"] if s.get("stem_cell")),
                           stem_cells_unknown=sum(1 for s in c["samples"] if s.get("stem_cell") is None))
                if key != "process" and ref_st:
                    row["p50_diff_ms"] = st["p50"] - ref_st["p50"]
                    row["p50_ratio"] = st["p50"] / ref_st["p50"] if ref_st["p50"] else None
                    if srv.get("p50") is not None and ref_srv.get("p50"):
                        row["server_p50_diff_ms"] = srv["p50"] - ref_srv["p50"]
                        row["server_p50_ratio"] = srv["p50"] / ref_srv["p50"]
            cold_rows.append(row)
        for b in BACKENDS:
            st_b = sandbox["backends"].get(b) or {}
            key = "iso_%s_%s_lat" % (b, lang)
            ref = "iso_process_%s_lat" % lang if b != "process" else None
            row = load_row(cfg, load_reps, key, "%s %s" % (b, lang), ref, "process %s" % lang if ref else None)
            if row is None:
                row = {"key": key, "kind": "unavailable" if st_b.get("available") is False else "missing",
                       "reason": st_b.get("reason")}
            row.update(backend=b, lang=lang)
            warm_rows.append(row)
    out.update(cold_rows=cold_rows, warm_rows=warm_rows)
    return out


def _is_number(v):
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def _ms_to_us(v):
    return None if v is None else v * 1000.0


def row_cells(row):
    errs = ""
    flag = ""
    if row["kind"] == "unavailable":
        reason = str(row.get("reason") or "?").replace("|", "/").replace("\n", " ")
        return [row["label"]] + ["—"] * 6 + [row.get("reference") or "—", "—", "—", "—", "0",
                                            "unavailable: " + (reason[:160] + "…" if len(reason) > 160 else reason)]
    if row["kind"] == "missing":
        return [row["label"] + " ⚠"] + ["—"] * 6 + [row.get("reference") or "—", "—", "—", "—", "0",
                                                     "not measured (see problems)"]
    if row["kind"] == "load":
        bits = []
        if row["http_errors"]:
            bits.append("%d non-2xx" % row["http_errors"])
        if row["socket_errors"]:
            bits.append("%d socket" % row["socket_errors"])
        if row["failed_runs"]:
            bits.append("%d failed run(s)" % row["failed_runs"])
        errs = ", ".join(bits) if bits else "0"
        flag = " ⚠" if bits else ""
        n = "%d × %d s" % (row["reps"], row["duration_s"])
    else:
        bits = []
        if row.get("failures"):
            bits.append("%d failed" % row["failures"])
        if row.get("not_cold"):
            bits.append("%d not cold" % row["not_cold"])
        errs = ", ".join(bits) if bits else "0"
        flag = " ⚠" if bits else ""
        n = "%d" % row["n"]
    return [
        row["label"] + flag,
        fmt_us(row["p50_us"]),
        fmt_us(row["p99_us"]),
        fmt_us(row.get("mean_us")),
        fmt_rps(row.get("rps")),
        fmt_ratio(row.get("p50_ratio")),
        fmt_ratio(row.get("rps_ratio")),
        row.get("reference") or "—",
        fmt_cpu(row.get("wrk_cpu_pct")),
        fmt_cpu(row.get("server_cpu_pct")),
        fmt_cpu(None if row.get("other_cpu_pct") is None else max(0.0, row["other_cpu_pct"])),
        n,
        errs,
    ]


HEADER = ["", "p50", "p99", "mean", "req/s", "p50 vs ref", "req/s vs ref", "reference", "wrk CPU", "server CPU",
          "other CPU", "samples", "errors"]
RIGHT = {1, 2, 3, 4, 5, 6, 8, 9, 10, 11}


def render_table(report, for_terminal=False):
    body = [row_cells(r) for r in report["rows"]]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(HEADER)]

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(c.rjust(widths[i]) if i in RIGHT else c.ljust(widths[i]))
        return "| " + " | ".join(out) + " |"

    sep = "| " + " | ".join(("-" * (w - 1) + ":") if i in RIGHT else "-" * w
                            for i, w in enumerate(widths)) + " |"
    return "\n".join([line(HEADER), sep] + [line(b) for b in body])


def md_table(head, right, body):
    """A markdown table, padded so that it also reads well in a terminal."""
    widths = [max([len(h), 3] + [len(b[i]) for b in body]) for i, h in enumerate(head)]

    def line(cells):
        return "| " + " | ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i])
                                 for i, c in enumerate(cells)) + " |"

    sep = "| " + " | ".join(("-" * (w - 1) + ":") if i in right else "-" * w for i, w in enumerate(widths)) + " |"
    return "\n".join([line(head), sep] + [line(b) for b in body])


def render_sandbox_tables(report):
    """[(title, table)] for the two backend comparisons; empty without Nimbus."""
    sb = report.get("sandbox") or {}
    if not sb.get("cold_rows") and not sb.get("warm_rows"):
        return []
    default = sb.get("default")
    out = []
    body = []
    for r in sb["cold_rows"]:
        lab = ["%s, default deploy" % r["backend"] if r.get("series") == "default" else r["backend"], r["lang"]]
        if r["kind"] == "unavailable":
            body.append(lab + ["0"] + ["—"] * 6 + ["unavailable: %s" % r.get("reason")])
            continue
        if r["kind"] == "missing":
            body.append(lab + ["0"] + ["—"] * 6 + ["⚠ not measured, %d failed (see problems)" % r.get("failures", 0)])
            continue
        st, sv = r["stats_ms"], r.get("server_duration_ms") or {}
        notes = []
        if r.get("failures"):
            notes.append("⚠ %d failed" % r["failures"])
        if r.get("not_cold"):
            notes.append("⚠ %d not cold" % r["not_cold"])
        if r.get("series") == "process":
            notes.append("reference")
        if r.get("series") == "default":
            notes.append("stem cell %d of %d" % (r.get("stem_cells", 0), st["n"]))
        elif r.get("stem_cells"):
            notes.append("⚠ %d from a stem cell" % r["stem_cells"])
        if r.get("stem_cells_unknown"):
            notes.append("%d unknown (no /metrics)" % r["stem_cells_unknown"])
        body.append(lab + ["%d" % st["n"], fmt_ms(st.get("p50")), fmt_ms(st.get("p99")), fmt_ms(sv.get("p50")),
                           fmt_ms(sv.get("p99")), fmt_diff_ms(r.get("p50_diff_ms")), fmt_ratio(r.get("p50_ratio")),
                           ", ".join(notes) or "—"])
    out.append(("Time to create a sandbox: cold start per backend (first invoke of a fresh hello function; "
                "deployed with \"isolation\" and \"cpus\": %g, the default deploy without either)" % ISO_CPUS,
                md_table(["backend", "runtime", "n", "p50", "p99", "server p50", "server p99", "p50 − process",
                          "p50 ÷ process", "notes"], {2, 3, 4, 5, 6, 7, 8}, body)))
    body = []
    for r in sb["warm_rows"]:
        lab = [r["backend"], r["lang"]]
        if r["kind"] in ("unavailable", "missing"):
            note = "unavailable: %s" % r.get("reason") if r["kind"] == "unavailable" \
                else "⚠ not measured (see problems)"
            body.append(lab + ["—"] * 11 + ["0", note])
            continue
        bits = []
        if r["http_errors"]:
            bits.append("⚠ %d non-2xx" % r["http_errors"])
        if r["socket_errors"]:
            bits.append("⚠ %d socket errors" % r["socket_errors"])
        if r["failed_runs"]:
            bits.append("⚠ %d failed run(s)" % r["failed_runs"])
        if r["backend"] == "process":
            bits.append("reference")
        body.append(lab + [fmt_us(r["p50_us"]), fmt_us(r["p99_us"]), fmt_us(r.get("p99_raw_us")), fmt_rps(r["rps"]),
                           fmt_diff_us(r.get("p50_diff_us")), fmt_ratio(r.get("p50_ratio")),
                           fmt_ratio(r.get("p99_raw_ratio")), fmt_ratio(r.get("rps_ratio")),
                           fmt_cpu(r["wrk_cpu_pct"]), fmt_cpu(r["server_cpu_pct"]),
                           fmt_cpu(None if r["other_cpu_pct"] is None else max(0.0, r["other_cpu_pct"])),
                           "%d × %d s" % (r["reps"], r["duration_s"]), ", ".join(bits) or "—"])
    out.append(("Warm-invocation overhead per backend (wrk -t1 -c1; functions deployed with \"cpus\": %g)" % ISO_CPUS,
                md_table(["backend", "runtime", "p50", "p99", "p99 uncorr.", "req/s", "p50 − process", "p50 ÷ process",
                          "p99 uncorr. ÷ process", "req/s ÷ process", "wrk CPU", "server CPU", "other CPU", "runs",
                          "notes"], set(range(2, 14)), body)))
    return out


def render_peer_tables(report):
    """[(title, table)]: Nimbus against the peers, and the slow-import function."""
    out = []
    ratios = (report.get("peers") or {}).get("ratios") or []
    if ratios and not report["config"].get("no_nimbus"):
        body = []
        for r in ratios:
            lab = [r["nimbus"], r["peer"]]
            goal = "≥ ×%.1f" % r["goal_rps_ratio"] if r.get("goal_rps_ratio") else "—"
            if r["kind"] != "ratio":
                reason = str(r.get("reason") or "?").replace("|", "/").replace("\n", " ")
                body.append(lab + ["—", goal, "—", "—", "—", "—", "0",
                                   "unavailable: " + (reason[:160] + "…" if len(reason) > 160 else reason)])
                continue
            met = "" if r.get("meets_goal") is None else (" ✓" if r["meets_goal"] else " ✗")
            body.append(lab + [fmt_ratio(r["rps_ratio"]) + met, goal, fmt_ratio(r["p50_ratio"]),
                               fmt_ratio(r["p99_ratio"]), fmt_ratio(r.get("p99_raw_ratio")),
                               fmt_diff_us(r.get("p50_diff_us")), "%d" % r["pairs"], "—"])
        out.append(("Nimbus against the peers (paired per repetition, median of the per-repetition ratios; "
                    "req/s ratio > 1: Nimbus serves more; latency ratio < 1: Nimbus is faster)",
                    md_table(["Nimbus", "peer", "req/s 32 conns ÷ peer", "goal", "p50 1 conn ÷ peer",
                              "p99 1 conn ÷ peer", "p99 uncorr. ÷ peer", "p50 − peer", "pairs", "notes"],
                             {2, 4, 5, 6, 7, 8}, body)))
    si = report.get("slow_import") or {}
    sm = si.get("summary")
    if sm:
        f = lambda st, k: fmt_ms((st or {}).get(k))
        n_b = sm["bursts"]
        body = [
            ["first cold start (fresh function, one call)", "%d" % sm["first_client_ms"].get("n", 0),
             f(sm["first_client_ms"], "p50"), f(sm["first_client_ms"], "max"), f(sm["first_server_ms"], "p50"),
             f(sm["first_server_ms"], "max"), "stem cell %d of %d" % (sm["first_stem_cells"], len(si.get("first") or []))],
            ["template ready, after the first call returned", "%d" % sm["template_ready_ms"].get("n", 0),
             "—", "—", f(sm["template_ready_ms"], "p50"), f(sm["template_ready_ms"], "max"),
             "polled on GET /health every 20 ms"],
            ["burst of %d concurrent calls, new instances (%d ms each)" % (si.get("concurrent", SLOW_N), sm["hold_ms"]),
             "%d" % sm["burst_cold"], f(sm["burst_cold_client_ms"], "p50"), f(sm["burst_cold_client_ms"], "max"),
             f(sm["burst_cold_server_ms"], "p50"), f(sm["burst_cold_server_ms"], "max"),
             "%d of %d calls cold (one reuses the warm instance); instances started: %d forked or stem cell, "
             "%d from nothing (%d burst(s))" % (sm["burst_cold"], sm["burst_calls"], sm["burst_snapshot_boots"],
                                              sm["burst_from_nothing"], n_b)],
            ["same, each new instance's start (X-Nimbus-Init-Duration-Ms)", "%d" % sm["burst_later_init_ms"].get("n", 0),
             "—", "—", f(sm["burst_later_init_ms"], "p50"), f(sm["burst_later_init_ms"], "max"),
             "goal ≤ %.0f ms: %d of %d meet it" % (sm["goal_ms"], sm["within_goal"], sm["burst_later_init_ms"].get("n", 0))],
        ]
        if sm["failures"]:
            body.append(["⚠ failures", "%d" % sm["failures"], "—", "—", "—", "—", "see problems"])
        out.append(("Slow import: a python function whose module sleeps 300 ms at import (deployed with the "
                    "defaults; the burst's copy with \"max_instances\": %d)" % si.get("concurrent", SLOW_N),
                    md_table(["", "n", "client p50", "client max", "server p50", "server max", "notes"],
                             {1, 2, 3, 4, 5}, body)))
    return out


def render_runtime_tables(report):
    """[(title, table)]: Go, Java and WebAssembly, and fib(30) on Chicory against V8."""
    return runtimes.render(report.get("runtimes"), md_table, fmt_ms, fmt_us, fmt_rps)


def runtime_method_text(report):
    c = report["config"]
    return runtimes.METHOD % (c.get("runtime_cold_n") or 0, c.get("runtime_duration_s") or 0, runtimes.FIB_RUNS,
                              runtimes.FIB_WARMUP, runtimes.FIB_RUNS, runtimes.FIB_WARMUP)


def render_details(report):
    """Every repetition of every load row, so the spread is visible."""
    reps = report["load_runs"]
    if not reps:
        return ""
    head = ["", "order"] + ["rep %d: p50 / p99 / req/s / CPU wrk, server, other" % (i + 1)
                            for i in range(len(reps))]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    iso = [("iso_%s_%s_lat" % (b, l), "%s %s, cpus %g, 1 conn" % (b, l, ISO_CPUS), None)
           for l in ("python", "node") for b in BACKENDS]
    for key, label, _ in LOAD_ROWS + iso:
        cells = [label, ""]
        if not any(key in r for r in reps):
            continue
        for r in reps:
            x = r.get(key)
            if not x or "rps" not in x:
                cells.append("failed" if x else "—")
                continue
            e = ""
            if x["http_errors"] or x["socket_errors"]:
                e = " ⚠ %d+%d err" % (x["http_errors"], x["socket_errors"])
            cells.append("%s / %s / %s / %s, %s, %s%s" % (
                fmt_us(x["p50_us"]), fmt_us(x["p99_us"]), fmt_rps(x["rps"]), fmt_cpu(x["wrk_cpu_pct"]),
                fmt_cpu(x["server_cpu_pct"]), fmt_cpu(max(0.0, x.get("other_cpu_pct") or 0.0)), e))
        cells[1] = " → ".join(str(r["order"].index(key.rsplit("_", 1)[0]) + 1) if key.rsplit("_", 1)[0] in r["order"]
                              else "—" for r in reps)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fn_field(sb, fn, field):
    return ((sb.get("functions") or {}).get(fn) or {}).get(field)


def _fmt_cpus(v):
    return "?" if v is None else "%.3f" % v


def peer_method_text(report):
    p = report.get("peers") or {}
    if p.get("skipped"):
        return "- Peers: skipped (`--no-peers`)."
    inst = p.get("install") or {}
    servers = p.get("servers") or {}
    py = p.get("python") or {}
    cmds = "; ".join("%s: `%s`%s" % (n, e.get("cmd_shown"), " (⚠ did not start)" if e.get("error") else "")
                     for n, e in servers.items())
    return ("- Peers (other FaaS servers, hello handlers answering `{\"hello\":\"world\"}` to the same POST): "
            "%s, installed by the harness from the npm registry (`%s`) into `%s` (git-ignored; the apps and the "
            "pinned `package.json` are in `bench/peers/`)%s. Started once per run and kept up throughout: %s. "
            "serverless-offline serves the `http` events of `handler.hello` (nodejs20.x; default mode: worker "
            "threads; `--useInProcess`: in the server's own process) and `handler_py.hello` (python3.11, run by "
            "`python3` from `PATH`, set to the real interpreter's directory `%s` — %s — not the pyenv shim). "
            "functions-framework's hello is `functions.http('hello', (req, res) => res.json(...))`. Their "
            "server CPU is the peer's process tree (the Python worker included). The ratios against them are "
            "paired per repetition; the goals are the issue's (Nimbus node ≥ ×1.5 functions-framework, Nimbus "
            "python ≥ ×2 serverless-offline python, in req/s at 32 connections)." % (
                ", ".join("`%s@%s`" % kv for kv in (inst.get("wanted") or PEER_VERSIONS).items()),
                inst.get("registry") or NPM_REGISTRY, inst.get("dir") or "bench/work/peers",
                "; ⚠ install failed: %s" % inst["error"] if inst.get("error") else "",
                cmds or "—", os.path.dirname(py.get("bin") or "") or "?", py.get("version") or "?"))


def slow_method_text(report):
    si = report.get("slow_import") or {}
    c = report["config"]
    return ("- Slow import: a python3.11 function whose module runs `import time; time.sleep(0.3)` at top level, "
            "deployed with the defaults. %d round(s) per repetition (after the cold starts): a fresh copy "
            "(`slow-first-*`) is created and its first call timed like a cold start above; then another fresh copy "
            "(`slow-burst-*`, `\"max_instances\": %d`) gets one call, the harness polls `GET /health` until the "
            "function's pool reports its template (the worker that has imported the module once and forks later "
            "instances), and then %d concurrent calls, each on its own already-open connection, released together "
            "by a barrier, each keeping its instance %d ms (`hold_ms`): one reuses the warm instance, the others "
            "need new ones. For those the table gives the client's and the server's time (`X-Nimbus-Duration-Ms`, "
            "which includes the %d ms) and each new instance's start, `X-Nimbus-Init-Duration-Ms` (from asking for "
            "an instance to its being ready), for which the issue's goal is ≤ %.0f ms. A burst that arrived before "
            "the template was ready would wait for it (the module has to be imported once before anything can be "
            "forked from it). Instances started are counted from `GET /metrics` around each burst." % (
                c.get("slow_rounds_per_rep") or 0, si.get("concurrent", SLOW_N), si.get("concurrent", SLOW_N),
                SLOW_HOLD_MS, SLOW_HOLD_MS, SLOW_GOAL_MS))


def render_markdown(report, json_shown, json_link):
    m = report["machine"]
    c = report["config"]
    v = m["versions"]
    n = report.get("nimbus") or {}
    out = [MARK_BEGIN,
           "<!-- generated by bench/run; everything between the bench markers is rewritten on each run -->",
           "",
           "## Latest run",
           "",
           "- **Date:** %s → %s (UTC), %s mode%s" % (
               report["started_utc"], report["finished_utc"], report["mode"],
               " — **quick run: 1 repetition of short runs, orientation only**" if report["mode"] == "quick" else ""),
           "- **Commit:** `%s` (working tree as built; uncommitted changes may be included)" % (report["commit"] or "unknown"),
           "- **Machine:** %s, %s CPUs (nproc), %s GiB memory, kernel %s; load average %s at start, "
           "%s at end" % (
               m["cpu_model"], m["nproc"], m["memory_gib"], m["kernel"],
               " ".join("%.2f" % x for x in m["loadavg_at_start"]),
               " ".join("%.2f" % x for x in m.get("loadavg_at_end") or [])),
           "- **Software:** java: %s; node %s; baseline python: %s (`%s`); wrk %s" % (
               v["java"], v["node"], v["python_baseline"], c["python_baseline_bin"], v["wrk"]),
           ]
    sb = report.get("sandbox") or {}
    if n:
        backend = sb.get("default") or sandbox_backend(n.get("log_head") or [])
        avail = "; ".join("`%s` %s" % (b, "available" if e.get("available") else
                                       "available per /health, ⚠ not created" if e.get("available") is None
                                       else "**unavailable** (%s)" % e.get("reason"))
                          for b, e in (sb.get("backends") or {}).items())
        jar = n.get("jar") or {}
        out.append("- **Nimbus:** `%s`%s; ready (`GET /health/ready` → 200) %.2f s after start%s%s" % (
            n["cmd_shown"],
            " (a copy of `nimbus-server/target/` with `lib/`, built %s; sha256 of the Nimbus jars `%s…`)" % (
                jar["built_utc"], jar["sha256"][:12]) if jar else "",
            n["ready_s"],
            "; default sandbox backend `%s` (`GET /health`)" % backend if backend else "",
            "; backends: %s" % avail if avail else ""))
    la0, la1 = m.get("loadavg_at_start"), m.get("loadavg_at_end")
    other = [r.get("other_cpu_pct") for r in report["rows"] + (sb.get("warm_rows") or [])
             if r.get("other_cpu_pct") is not None]
    if other and max(other) > 25:
        out.append("- **Disturbed:** other work on the machine used up to %.0f%% of a core during the "
                   "load runs (load average %s at start, %s at end); compare rows only with their "
                   "reference from this run." % (max(other), " ".join("%.1f" % x for x in la0 or []),
                                                  " ".join("%.1f" % x for x in la1 or [])))
    if report["aborted"]:
        out.append("- **Run aborted:** %s" % report["aborted"])
    out += [
        "",
        "### Method",
        "",
        "- Everything below was measured in this one run, on this machine, load generator and servers "
        "on the same 127.0.0.1 loopback.",
        "- Load: `wrk` with a Lua script (`bench/post.lua`) that sends `POST` with body `%s`; "
        "latency at 1 connection (`%s`), throughput at 32 connections (`%s`); each measured run lasts "
        "%d s and follows a warm-up with the same connection count: %d s before the first measured run "
        "of each target, %d s before its later ones (its instances stay alive between repetitions). "
        "p50/p99 are wrk's percentiles (microsecond histogram) printed by the script's `done()`; wrk 4.1 "
        "corrects them for coordinated omission (every response slower than twice the mean interval adds "
        "the samples a constant-rate client would have seen meanwhile), so one long stall — a VM pause, an "
        "instance recycled and started cold — weighs heavily on p99 and the mean. *p99 uncorr.* is the p99 of "
        "the requests actually sent (the script undoes the correction exactly); both are in the raw JSON "
        "(`latency_us`, `latency_raw_us`) for every run." % (
            INVOKE_BODY.decode(), c["latency"], c["throughput"], c["duration_s"], c["warmup_s"],
            c.get("rewarm_s", c["warmup_s"])),
        "- %d repetition(s), one Nimbus server throughout; the targets (Node floor, the peers, Nimbus python, "
        "Nimbus node, Nimbus python and node with `\"cpus\": 1`, "
        "the python functions of every backend, the node functions of every backend) are alternated and their "
        "order rotates each repetition, the backends too within their group. The tables show the median over "
        "repetitions of each column; the ratios and differences are the median of the per-repetition ones "
        "(against the reference measured in the same repetition): p50 ratio > 1 means slower than the reference, "
        "req/s ratio < 1 means less throughput." % c["repetitions"],
        "- HTTP floor: `bench/floor.js`, a bare Node `http.createServer` that reads the body and answers "
        "`{\"hello\":\"world\"}`: the least any HTTP server in Node can do per request.",
        peer_method_text(report),
        "- Nimbus with `\"cpus\": 1`: the same hellos deployed as `bench-py-cpus1` and `bench-node-cpus1` with "
        "`\"cpus\": %g` (other fields default): what the sandbox can do when it is not CPU-limited; the *(defaults)* "
        "rows are what a user gets. They and the peers are measured with %d s runs (the other rows %d s), in the "
        "same %d repetitions, to keep a full run near 12 minutes." % (
            ISO_CPUS, c.get("peer_duration_s") or c["duration_s"], c["duration_s"], c["repetitions"]),
        slow_method_text(report),
        runtime_method_text(report),
        "- Nimbus: hello functions `bench-py` (python3.11) and `bench-node` (nodejs20) deployed via "
        "`POST /api/v1/functions` with the defaults, as a user gets them: the server's default sandbox "
        "backend (`%s`), `memory_mb` %s and so a CPU cap of %s cores (one core, or `memory_mb`/1769 when that "
        "is more; under contention a weight in proportion to `memory_mb`, decision 0016). Invoked via "
        "`POST /api/v1/functions/{name}/invoke`; every function was checked before the load (200, body, "
        "`X-Nimbus-*` headers, first invoke cold, second warm)." % (
            sb.get("default") or "?", _fn_field(sb, "bench-py", "memory_mb"),
            _fmt_cpus(_fn_field(sb, "bench-py", "cpus"))),
        "- Sandbox backends: `process` (no isolation; the reference, which the server offers only when the "
        "operator allows it: the harness starts it with `NIMBUS_SANDBOX_ALLOW_PROCESS=true`, which leaves the "
        "default backend as it is), `namespace` (bubblewrap + cgroups + seccomp) and `gvisor` (runsc). Availability is what `GET /health` lists in `sandbox.backends`, "
        "confirmed by creating a function on each (an unavailable one answers 400 `IsolationUnavailable`); "
        "an unavailable backend is listed with the reason `GET /health` gives, and not measured.",
        "- Warm-invocation overhead: per runtime and available backend, a hello function `iso-<backend>-<py|node>` "
        "deployed with `\"isolation\": \"<backend>\"` and `\"cpus\": %g` (one full core, so that the comparison "
        "measures the sandbox, not the CPU share; other fields default), loaded at 1 connection like the rows "
        "above; each backend is compared with `process` for the same runtime in the same repetition." % ISO_CPUS,
        "- Cold start (time to create a sandbox): %d times per runtime and series (%s; spread evenly over the "
        "run), a new function (`cold-<series>-<py|node>-<i>`) is created, then one invoke is timed with "
        "`time.perf_counter_ns` around request and response on an already-open keep-alive connection (no TCP "
        "setup, not the create), `X-Nimbus-Cold-Start: true` is checked, and the function is deleted; %.2f s "
        "pause after each. The series: one per available backend, deployed with `\"isolation\"` and "
        "`\"cpus\": %g` — the server keeps pre-started workers (*stem cells*) only for functions with the "
        "default confinement on the default backend, so these instances are started from nothing on the "
        "request path, sandbox included; and *default deploy*, deployed with the defaults (the default backend, "
        "stem cells allowed): what a user gets, and the *cold start* rows of the main table. Whether each "
        "instance came from a stem cell is read from `GET /metrics` (`nimbus_vm_boot_duration_ms_count`, "
        "`from_snapshot`) around it, outside the timing. The series alternate (order rotating each iteration) "
        "with the new-process baseline; samples are pooled over the run (spread across the repetitions); "
        "with %d samples p99 is the slowest sample or close to it. *server* is `X-Nimbus-Duration-Ms`; the "
        "overhead against `process` is the difference and ratio of the p50s (client side)."
        % (c["cold_n"], ", ".join("%s %d" % kv for kv in sorted((c.get("cold_n_backend") or {}).items()))
           or "all alike", c["cold_gap_s"], ISO_CPUS, c["cold_n"]),
        "- New process per invocation: the real binaries (`%s`, `%s`) run with `-c`/`-e` printing a "
        "JSON hello, timed from spawn to exit, interleaved with the cold starts." % (
            c["python_baseline_bin"], NODE),
        "- CPU: *wrk CPU* is wrk's own user+system time (from `wait4`) over its wall time, *server CPU* "
        "is the server process and all its descendants (function workers and their sandboxes included): the "
        "tree is sampled from `/proc` every 0.25 s and each process's own user+system time counted as last "
        "seen, so that sandboxes killed as a whole (never reaped into a parent's `cutime`) still count; "
        "*other CPU* is everything else that was busy on the machine meanwhile "
        "(`/proc/stat` minus those two: other users' work, the kernel's share not charged to them); "
        "all in %% of one core (this machine has %s cores, so %d%% is all of it). wrk + server + other "
        "near %d%% means the machine, not the server alone, was the limit; a large *other* means the "
        "run was disturbed." % (m["nproc"], 100 * (m["nproc"] or 1), 100 * (m["nproc"] or 1)),
        "",
        "### Results",
        "",
        render_table(report),
        "",
        "Raw results: [`%s`](%s) (also `latest.json` next to it)." % (json_shown, json_link),
        "",
    ]
    peer_tables = render_peer_tables(report)
    if peer_tables:
        out += ["### Peers and the slow import", ""]
        for title, table in peer_tables:
            out += ["**%s**" % title, "", table, ""]
    runtime_tables = render_runtime_tables(report)
    if runtime_tables:
        out += ["### Go, Java and WebAssembly", ""]
        for title, table in runtime_tables:
            out += ["**%s**" % title, "", table, ""]
    sandbox_tables = render_sandbox_tables(report)
    if sandbox_tables:
        out += ["### Sandbox backends", ""]
        for title, table in sandbox_tables:
            out += ["**%s**" % title, "", table, ""]
        out += ["Unavailable backends are listed with the reason `GET /health` gives. The warm-overhead "
                "functions run with `\"cpus\": %g` so that the comparison measures the sandbox, not the CPU share; "
                "the default functions of the main table run with the default cap (%s cores)."
                % (ISO_CPUS, _fmt_cpus(_fn_field(sb, "bench-py", "cpus"))), ""]
    cold_rows = [r for r in report["rows"] if r["kind"] == "cold" and r.get("n")]
    if cold_rows:
        out += ["Cold starts in detail (ms; deployed with the defaults, on the default backend `%s`; *client* is end "
                "to end over HTTP, *server* is what Nimbus reported in `X-Nimbus-Duration-Ms`, *stem cell* how many "
                "instances came from a pre-started worker):" % (sb.get("default") or "?"), "",
                "| | n | client p50 | client p99 | client mean | client min | server p50 | server p99 | stem cell |",
                "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for r in cold_rows:
            st, sv = r["stats_ms"], r.get("server_duration_ms") or {}
            f = lambda v: "—" if v is None else "%.1f" % v
            out.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
                r["label"], st["n"], f(st.get("p50")), f(st.get("p99")), f(st.get("mean")), f(st.get("min")),
                f(sv.get("p50")), f(sv.get("p99")), r.get("stem_cells", "—")))
        out.append("")
    details = render_details(report)
    if details:
        out += ["<details><summary>Every repetition</summary>", "", details, "", "</details>", ""]
    if report["problems"]:
        out += ["### Problems seen in this run", ""] + ["- " + p.replace("\n", " ") for p in report["problems"]] + [""]
    out.append(MARK_END)
    return "\n".join(out)


DOC_HEAD = """# Benchmarks

How fast Nimbus is, measured against references in the same run on the same machine (the method
is the project's benchmarking guide, summarised in the generated section). Run `bench/run` (about
12 minutes) or `bench/run --quick` (about 3 minutes, orientation only). The section between the
bench markers below is generated by the harness — never edit its numbers by hand; the text after
it is hand-written and preserved across runs.

"""

DOC_TAIL = """
## Reading the numbers

_(Hand-written; the harness does not touch this section.)_
"""


def write_outputs(cfg, report):
    out_dir = os.path.abspath(cfg.output_dir)
    raw_dir = os.path.join(out_dir, "benchmarks")
    os.makedirs(raw_dir, exist_ok=True)
    stamp = report["started_utc"].replace(":", "-")
    raw_name = "%s%s.json" % (stamp, "-quick" if cfg.mode == "quick" else "")
    data = json.dumps(report, indent=2, sort_keys=False, default=str) + "\n"
    for name in (raw_name, "latest.json"):
        tmp = os.path.join(raw_dir, "." + name + ".tmp")
        with open(tmp, "w") as f:
            f.write(data)
        os.replace(tmp, os.path.join(raw_dir, name))
    md_path = os.path.join(out_dir, "benchmarks.md")
    raw_path = os.path.join(raw_dir, raw_name)
    shown = os.path.relpath(raw_path, ROOT) if raw_path.startswith(ROOT + "/") else raw_path
    block = render_markdown(report, shown, os.path.relpath(raw_path, out_dir))
    try:
        with open(md_path) as f:
            text = f.read()
    except FileNotFoundError:
        text = DOC_HEAD + MARK_BEGIN + "\n" + MARK_END + "\n" + DOC_TAIL
    b, e = text.find(MARK_BEGIN), text.find(MARK_END)
    if b == -1 or e == -1 or e < b:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = text[:b] + block + text[e + len(MARK_END):]
    tmp = md_path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, md_path)
    log("wrote %s, %s and latest.json" % (md_path, os.path.join(raw_dir, raw_name)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
