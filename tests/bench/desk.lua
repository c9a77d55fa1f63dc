-- wrk script for tests/bench/desk.sh: each thread has one connection and
-- one item, and alternates a check-out and a check-in of it, as a volunteer
-- at a desk would (logged in, with the forms' tokens). Counts every answer
-- that is not the expected 303 to the desk's next form; done() exits
-- non-zero when any request failed that way or on a socket error or timeout.
local threads = {}
local n = 0

function setup(thread)
  n = n + 1
  thread:set("item", ITEMS[n])
  table.insert(threads, thread)
end

function init(args)
  next_form = "pret"   -- what the desk does next, decided by the last answer
  errors = 0
  trips = 0
end

local function form(t)
  local parts = {}
  for k, v in pairs(t) do
    parts[#parts + 1] = k .. "=" .. v:gsub("([^%w%-%._~])", function(c) return string.format("%%%02X", c:byte()) end)
  end
  return table.concat(parts, "&")
end

function request()
  local headers = { ["Cookie"] = COOKIE, ["Content-Type"] = "application/x-www-form-urlencoded" }
  if next_form == "pret" then
    return wrk.format("POST", "/tierslieux/guichet/pret/confirmer", headers,
                      form({ jeton = LEND_TOKEN, adherent = MEMBER, objet = item }))
  end
  return wrk.format("POST", "/tierslieux/guichet/retour", headers,
                    form({ jeton = RETURN_TOKEN, objet = item, etat = "", maintenance = "" }))
end

function response(status, headers, body)
  local location = headers["Location"] or ""
  if status ~= 303 then
    errors = errors + 1
  elseif location:find("/guichet/pret?fait=", 1, true) then
    next_form = "retour"
  elseif location:find("/guichet/retour?fait=", 1, true) then
    next_form = "pret"
    trips = trips + 1
  else
    errors = errors + 1   -- a 303 elsewhere: the login form, an error page
  end
end

function done(summary, latency, requests)
  local e, t = 0, 0
  for _, thread in ipairs(threads) do
    e = e + thread:get("errors")
    t = t + thread:get("trips")
  end
  local seconds = summary.duration / 1e6
  local s = summary.errors
  local sockets = s.connect + s.read + s.write + s.timeout
  io.write(string.format("round trips (check-out + check-in): %d in %.0f s = %.0f per second; errors: %d; socket errors: %d; p99 %.1f ms per request\n",
                         t, seconds, t / seconds, e, sockets, latency:percentile(99) / 1000))
  if e > 0 or sockets > 0 or t == 0 then
    io.stderr:write(string.format("échec : %d réponses inattendues, %d erreurs de connexion ou délais dépassés, %d allers-retours\n",
                                  e, sockets, t))
    io.stdout:flush()
    os.exit(1)
  end
end
