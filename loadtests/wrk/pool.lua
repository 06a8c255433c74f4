-- wrk script: cycle through a pool of request bodies, one JSON document per line.
-- Usage: wrk -t1 -c64 -d10s -s pool.lua URL -- METHOD [BODIES_FILE]
-- Prints one line "WRK_JSON {...}" with the counts and latency percentiles (microseconds).

local bodies = {}
local method = "GET"
local index = 0

function init(args)
  method = args[1] or "GET"
  if args[2] then
    for line in io.lines(args[2]) do
      bodies[#bodies + 1] = line
    end
  end
end

local json_headers = { ["Content-Type"] = "application/json" }

function request()
  if #bodies == 0 then
    return wrk.format(method, nil, nil, nil)
  end
  index = index % #bodies + 1
  return wrk.format(method, nil, json_headers, bodies[index])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
