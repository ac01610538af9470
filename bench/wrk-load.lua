-- The REST benchmark's load when wrk is installed (bench/rest.ts): one connection per wrk thread
-- (-t N -c N), each thread bumping its own record, so no two clients ever race for one record.
-- Environment: MODE (bump | note | common), TOKEN, IDS (comma-separated record ids).
local ids = {}
for id in string.gmatch(os.getenv("IDS") or "", "[^,]+") do ids[#ids + 1] = id end
local mode = os.getenv("MODE")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", ids[((#threads - 1) % math.max(#ids, 1)) + 1] or "")
end

function init(args)
  failures = 0
  wrk.headers["authorization"] = "CMW_AUTH_CODE " .. os.getenv("TOKEN")
  if mode == "bump" then
    wrk.method = "POST"
    wrk.path = "/api/tickets/multi"
    wrk.headers["content-type"] = "application/json"
    wrk.body = '[{"id":"' .. id .. '","transition":"bump"}]'
  elseif mode == "note" then
    wrk.method = "POST"
    wrk.path = "/api/tickets/multi"
    wrk.headers["content-type"] = "application/json"
  else
    wrk.method = "GET"
    wrk.path = "/api/common"
  end
end

-- note: a new c_note each time (bench/floor.ts).
sent = 0
function request()
  if mode ~= "note" then return wrk.format() end
  sent = sent + 1
  return wrk.format(nil, nil, nil, '[{"id":"' .. id .. '","transition":"note","c_note":"note ' .. sent .. '"}]')
end

function response(status, headers, body)
  if status ~= 200 or (mode ~= "common" and not string.find(body, '"successful":true', 1, true)) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  for _, thread in ipairs(threads) do failed = failed + thread:get("failures") end
  io.write(string.format('{"requests":%d,"perSecond":%d,"p50Ms":%.2f,"p99Ms":%.2f,"failures":%d}\n',
    summary.requests, math.floor(summary.requests / (summary.duration / 1e6) + 0.5),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, failed))
end
