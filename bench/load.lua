-- wrk script for bench/load.ts: the request's method and body come from the
-- environment (headers come as -H), and the result is one JSON line.
wrk.method = os.getenv("LOAD_METHOD") or "GET"
wrk.body = os.getenv("LOAD_BODY")

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
