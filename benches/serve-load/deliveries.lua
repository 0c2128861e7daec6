-- wrk script for benches/serve-load/run: POSTs signed `pull_request` deliveries to /webhook, each
-- with its own X-GitHub-Delivery id, so that every request is a real durable insert (a repeated
-- id would take the server's duplicate path, which stores nothing).
--
-- Environment (set by `run`):
--   DELIVERIES  a file of lines "SIGNATURE<TAB>PATH": a body and its X-Hub-Signature-256
--               ("sha256=" + hex HMAC-SHA256 of the body under the webhook secret). The bodies
--               are used in turn; with one line every request sends the same body.
--   RUN_ID      makes the delivery ids unique across runs against one database (default: time).
--
-- At the end it prints the latency percentiles and one line starting "RESULT " with every count,
-- as key=value pairs, for `run` to read.

local threads = {}

function setup(thread)
   thread:set("thread_id", #threads + 1)
   table.insert(threads, thread)
end

local function read_all(path)
   local f = assert(io.open(path, "rb"), "cannot open " .. path)
   local text = f:read("*a")
   f:close()
   return text
end

function init(args)
   local list = os.getenv("DELIVERIES") or error("DELIVERIES is not set (see the top of deliveries.lua)")
   run_id = os.getenv("RUN_ID") or tostring(os.time())
   bodies, signatures = {}, {}
   for line in io.lines(list) do
      local sig, path = line:match("^(%S+)\t(.+)$")
      if sig then
         table.insert(signatures, sig)
         table.insert(bodies, read_all(path))
      end
   end
   assert(#bodies > 0, "no deliveries listed in " .. list)
   -- Counters, read by done() through thread:get.
   sent, n202, n200, n4xx, n5xx, nother = 0, 0, 0, 0, 0, 0
end

function request()
   sent = sent + 1
   local i = (sent - 1) % #bodies + 1
   local headers = {
      ["Content-Type"] = "application/json",
      ["User-Agent"] = "GitHub-Hookshot/bench",
      ["X-GitHub-Event"] = "pull_request",
      ["X-GitHub-Delivery"] = string.format("%s-%d-%d", run_id, thread_id, sent),
      ["X-Hub-Signature-256"] = signatures[i],
   }
   return wrk.format("POST", "/webhook", headers, bodies[i])
end

function response(status, headers, body)
   if status == 202 then
      n202 = n202 + 1
   elseif status == 200 then
      n200 = n200 + 1
   elseif status >= 400 and status < 500 then
      n4xx = n4xx + 1
   elseif status >= 500 then
      n5xx = n5xx + 1
   else
      nother = nother + 1
   end
end

function done(summary, latency, requests)
   local t = { sent = 0, n202 = 0, n200 = 0, n4xx = 0, n5xx = 0, nother = 0 }
   for _, thread in ipairs(threads) do
      for k, _ in pairs(t) do
         t[k] = t[k] + (thread:get(k) or 0)
      end
   end
   -- wrk calls the first thread's request() once to check the script, and never sends it.
   t.sent = t.sent - 1
   local seconds = summary.duration / 1e6
   local e = summary.errors
   local ms = function(us) return us / 1000 end
   io.write("\nAcknowledgement latency (ms):\n")
   for _, p in ipairs({ 50, 90, 99, 99.9 }) do
      io.write(string.format("  p%-5s %9.2f\n", p, ms(latency:percentile(p))))
   end
   io.write(string.format("  max    %9.2f\n  mean   %9.2f\n", ms(latency.max), ms(latency.mean)))
   local non202 = t.n200 + t.n4xx + t.n5xx + t.nother
   io.write(string.format("Answers: %d x 202, %d non-202 (200: %d, 4xx: %d, 5xx: %d, other: %d); "
      .. "socket errors: connect %d, read %d, write %d, timeout %d\n",
      t.n202, non202, t.n200, t.n4xx, t.n5xx, t.nother, e.connect, e.read, e.write, e.timeout))
   io.write(string.format("Acknowledged deliveries per second: %.0f\n", t.n202 / seconds))
   io.write(string.format(
      "RESULT seconds=%.3f sent=%d responses=%d acked=%d non202=%d n200=%d n4xx=%d n5xx=%d nother=%d "
      .. "err_connect=%d err_read=%d err_write=%d err_timeout=%d "
      .. "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f mean_ms=%.2f\n",
      seconds, t.sent, summary.requests, t.n202, non202, t.n200, t.n4xx, t.n5xx, t.nother,
      e.connect, e.read, e.write, e.timeout,
      ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
      ms(latency:percentile(99.9)), ms(latency.max), ms(latency.mean)))
end
