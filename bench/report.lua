-- Printed by wrk when a run ends; bench/pages.py parses the BENCH line.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d errors=%d rps=%.2f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f\n",
    summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
