-- wrk script: the pool of pool.lua, sent at a fixed rate (wrk itself has no pacing).
-- Usage: wrk -t1 -c32 -d15s -s paced.lua URL -- METHOD BODIES_FILE RATE_PER_SECOND
-- Every request takes the next slot of a schedule at RATE per second (over all connections of
-- the thread) and waits for it in delay(); latency is measured from the send, as wrk does, so
-- a server that falls behind shows as a lower achieved rate rather than as queueing time.

dofile(os.getenv("SPENDCAST_WRK_DIR") .. "/pool.lua")

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } spendcast_timespec;
  int clock_gettime(int clock_id, spendcast_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("spendcast_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local pool_init = init
local interval_ms = 1
local next_slot_ms = nil

function init(args)
  pool_init(args)
  interval_ms = 1000 / tonumber(args[3])
end

function delay()
  local now = now_ms()
  if next_slot_ms == nil or next_slot_ms < now - 1000 then
    next_slot_ms = now -- start, or resume after a stall without a catch-up burst
  end
  local wait = next_slot_ms - now
  next_slot_ms = next_slot_ms + interval_ms
  if wait < 0 then
    return 0
  end
  return wait
end
