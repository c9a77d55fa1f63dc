-- wrk script for tests/bench/mixed.sh: each connection asks for the
-- catalogue URLs of URLS (set by mixed.sh) one after the other, each
-- starting at its own place in the list, so that the 40 pages are asked
-- for evenly. Counts the answers that are not 200; done() prints them and
-- exits non-zero when there is any, or a socket error or timeout.
local threads = {}

function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end

function init(args)
  n = first * 7
  errors = 0
end

function request()
  n = n + 1
  return wrk.format("GET", URLS[(n % #URLS) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local e = 0
  for _, thread in ipairs(threads) do
    e = e + thread:get("errors")
  end
  local s = summary.errors
  local sockets = s.connect + s.read + s.write + s.timeout
  io.write(string.format("mix: %d requests, %d answers other than 200, %d socket errors or timeouts\n",
                         summary.requests, e, sockets))
  if e > 0 or sockets > 0 then
    io.stdout:flush()
    os.exit(1)
  end
end
