-- wrk script: cycle through a pool of request bodies, one JSON document per line.
-- Usage: wrk -t1 -c64 -d10s -s pool.lua URL -- METHOD [BODIES_FILE]
-- Prints one line "WRK_JSON {...}" with the counts and latency percentiles (microseconds).
--
-- Every request is formatted once, in init(): formatting one per request left garbage whose
-- collection re-marked the whole pool, and wrk shares the server's cores, so that cost showed
-- up as a slower server (most with the 100,000 pool).

local requests = {}
local index = 0

function init(args)
  local method = args[1] or "GET"
  local json_headers = { ["Content-Type"] = "application/json" }
  if args[2] then
    for line in io.lines(args[2]) do
      requests[#requests + 1] = wrk.format(method, nil, json_headers, line)
    end
  else
    requests[1] = wrk.format(method, nil, nil, nil)
  end
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
