-- wrk script: POST a small JSON body on every request, count responses whose status is not
-- 2xx, and at the end print latency percentiles (microseconds) and the error counters as one
-- JSON line (BENCH_JSON ...), which bench/harness.py parses.
--
-- wrk 4.1 corrects its latency histogram for coordinated omission before done() sees it
-- (stats_correct: every response slower than twice the mean interval per connection,
-- e = duration / (requests / connections), adds samples at n-e, n-2e, ... down to above e).
-- "latency_us" is that corrected histogram, as wrk prints it. "latency_raw_us" undoes the
-- correction exactly (for m > e: raw[m] = corrected[m] - corrected[m+e]), giving the latency of
-- the requests actually sent; it needs the connection count in BENCH_WRK_CONNECTIONS.
wrk.method = "POST"
wrk.body = '{"n":1}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  first_bad = ""
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == "" then
      first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

-- The uncorrected p50/p90/p99, undoing stats_correct: raw[m] = corrected[m] - corrected[m+e] for
-- m > e. latency(i) (the i-th distinct value and its count) scans the histogram from its start on
-- every call, so the walk stops as soon as the p99 is known (it needs values up to p99 + e) and
-- gives up after 2 s of CPU; n is the number of responses (wrk records one sample for each, except
-- responses slower than --timeout, which it counts as timeouts).
local function raw_latency(summary, latency)
  local conns = tonumber(os.getenv("BENCH_WRK_CONNECTIONS") or "")
  if not conns or conns < 1 then return "null" end
  local per = math.floor(summary.requests / conns)
  if per < 1 then return "null" end
  local e = math.floor(summary.duration / per)
  local n = summary.requests
  local wanted = {{50, math.min(n, math.floor(0.50 * n + 1))}, {90, math.min(n, math.floor(0.90 * n + 1))},
                  {99, math.min(n, math.floor(0.99 * n + 1))}}
  local found, next_wanted = {}, 1
  local corrected, values = {}, {}
  local done_upto, total, count = 0, 0, #latency
  local started = os.clock()
  local function settle(limit)  -- raw counts of the values v with v + e < limit (or all when nil)
    while done_upto < #values and next_wanted <= #wanted do
      local v = values[done_upto + 1]
      if limit and v + e >= limit then return end
      done_upto = done_upto + 1
      local c = corrected[v]
      if v > e then c = c - (corrected[v + e] or 0) end
      total = total + c
      while next_wanted <= #wanted and total >= wanted[next_wanted][2] do
        found[wanted[next_wanted][1]] = v
        next_wanted = next_wanted + 1
      end
    end
  end
  local complete = true
  for i = 1, count do
    local v, c = latency(i)
    corrected[v] = c
    values[#values + 1] = v
    settle(v)
    if next_wanted > #wanted then break end
    if os.clock() - started > 2 then complete = false; break end
  end
  if complete then settle(nil) end
  local function num(x) return x and string.format("%d", x) or "null" end
  return string.format('{"n":%d,"interval":%d,"p50":%s,"p90":%s,"p99":%s,"max":%d,"walked":%d,"cpu_s":%.3f}',
    n, e, num(found[50]), num(found[90]), num(found[99]), latency.max, #values, os.clock() - started)
end

function done(summary, latency, requests)
  local bad, sample = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    local fb = t:get("first_bad") or ""
    if sample == "" then sample = fb end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"bytes":%d,"non2xx":%d,"first_non2xx":%s,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.3f,"stdev":%.3f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},' ..
    '"latency_raw_us":%s}\n',
    summary.duration, summary.requests, summary.bytes, bad, json_string(sample),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, raw_latency(summary, latency)))
end
