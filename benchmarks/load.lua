-- wrk script of `make load` (benchmarks/load.py writes the scenario file it reads).
--
--   wrk -t2 -c8 -d<limit>s --latency --timeout 30s -s benchmarks/load.lua <url> -- <scenario.lua>
--
-- The scenario file returns {cutoff = seconds, marker = path prefix, requests = {...}},
-- each request {kind = "get" | "ask", method, path, headers, body}. Each thread
-- cycles through the requests from its own starting point.
--
-- Bounded run with nothing in flight at the end: after `cutoff` seconds no
-- connection sends another request (delay() parks it); once every request a
-- thread sent has been answered it writes `<marker><thread>`, and load.py then
-- stops wrk with SIGINT. So every ask the server stored was seen here, and the
-- 302 count can be compared exactly with the new workspace_chats rows.
--
-- Success: a "get" answered 2xx; an "ask" answered 302 to its conversation's /chat/…#chat-<id>.
-- done() prints one line "LOADJSON {...}" with the counts and percentiles.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } load_timespec;
int clock_gettime(int clk_id, load_timespec *tp);
]]
local clock = ffi.new("load_timespec")

local function now()
    ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC: comparable across threads
    return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads = {}

function setup(thread)
    thread:set("thread_number", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    local scenario = dofile(args[1])
    prepared = {}
    for i, r in ipairs(scenario.requests) do
        prepared[i] = { kind = r.kind, raw = wrk.format(r.method, r.path, r.headers, r.body) }
    end
    cutoff = scenario.cutoff
    marker = scenario.marker .. thread_number
    started = now()
    position = ((thread_number - 1) * math.floor(#prepared / 2)) % #prepared -- threads start apart in the list
    sent_get, sent_ask, received = 0, 0, 0
    ok_2xx, ok_chat_302, other_3xx, status_4xx, status_5xx = 0, 0, 0, 0, 0
    first_sent, last_received = 0, 0
    statuses = {}
    drained = false
    live = false -- wrk calls request() once before the run to check the script: not counted
end

function delay()
    live = true
    if now() - started < cutoff then
        return 0
    end
    if not drained and sent_get + sent_ask == received then
        drained = true
        local file = io.open(marker, "w")
        file:write("drained\n")
        file:close()
    end
    return 3600000 -- parked until wrk stops
end

function request()
    if not live then
        return prepared[1].raw
    end
    position = position % #prepared + 1
    local r = prepared[position]
    if r.kind == "ask" then
        sent_ask = sent_ask + 1
    else
        sent_get = sent_get + 1
    end
    if first_sent == 0 then
        first_sent = now()
    end
    return r.raw
end

function response(status, headers, body)
    received = received + 1
    last_received = now()
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    if status >= 200 and status < 300 then
        ok_2xx = ok_2xx + 1
    elseif status == 302 then
        local location = headers["Location"] or headers["location"] or ""
        -- the question's conversation (/chat/<thread>/?v=<id>#chat-<id>) or, before threads, /chat/#chat-<id>
        if string.find(location, "/chat/", 1, true) and string.find(location, "#chat-", 1, true) then
            ok_chat_302 = ok_chat_302 + 1
        else
            other_3xx = other_3xx + 1
        end
    elseif status < 400 then
        other_3xx = other_3xx + 1
    elseif status < 500 then
        status_4xx = status_4xx + 1
    else
        status_5xx = status_5xx + 1
    end
end

local function json_value(value)
    if type(value) == "table" then
        local parts = {}
        for k, v in pairs(value) do
            table.insert(parts, string.format("%q:%s", tostring(k), json_value(v)))
        end
        return "{" .. table.concat(parts, ",") .. "}"
    end
    return string.format("%.17g", value)
end

function done(summary, latency, requests)
    local totals = {
        sent_get = 0, sent_ask = 0, received = 0, ok_2xx = 0, ok_chat_302 = 0, other_3xx = 0,
        status_4xx = 0, status_5xx = 0, drained_threads = 0,
    }
    local statuses_all, first, last = {}, nil, 0
    for _, thread in ipairs(threads) do
        for name, _ in pairs(totals) do
            if name ~= "drained_threads" then
                totals[name] = totals[name] + thread:get(name)
            end
        end
        if thread:get("drained") then
            totals.drained_threads = totals.drained_threads + 1
        end
        local thread_first = thread:get("first_sent")
        if thread_first > 0 and (first == nil or thread_first < first) then
            first = thread_first
        end
        last = math.max(last, thread:get("last_received"))
        for status, count in pairs(thread:get("statuses")) do
            statuses_all[status] = (statuses_all[status] or 0) + count
        end
    end
    totals.threads = #threads
    totals.window_seconds = (first and last > first) and (last - first) or 0
    totals.socket_errors = {
        connect = summary.errors.connect, read = summary.errors.read, write = summary.errors.write,
        timeout = summary.errors.timeout,
    }
    totals.latency_ms = {
        p50 = latency:percentile(50) / 1000, p95 = latency:percentile(95) / 1000,
        p99 = latency:percentile(99) / 1000, max = latency.max / 1000, mean = latency.mean / 1000,
    }
    totals.statuses = statuses_all
    io.write("LOADJSON " .. json_value(totals) .. "\n")
end
