-- redis: a few Redis commands, enough to load a Redis server (or anything
-- that speaks RESP2, such as KeyDB, Dragonfly or Valkey).
local swarm = require("swarm")

local crlf = swarm.reply_parser_crlf()  -- one-line replies: +PONG, +OK, :1
local resp = swarm.reply_parser_resp()  -- any RESP2 reply, e.g. a bulk string

-- An inline command: the shortest request Redis accepts, built once.
local PING = "PING\r\n"

-- YAML numbers arrive as Lua numbers: write whole ones without a fraction
-- or an exponent.
local function text_of(value)
  if type(value) == "number" and value == math.floor(value) then
    return string.format("%d", value)
  end
  return tostring(value)
end

-- A RESP multibulk request: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".
-- Unlike an inline command it carries any bytes, spaces and CRLF included.
local function multibulk(...)
  local words = { ... }
  local parts = { "*" .. #words .. "\r\n" }
  for i, word in ipairs(words) do
    local text = text_of(word)
    parts[i + 1] = "$" .. #text .. "\r\n" .. text .. "\r\n"
  end
  return table.concat(parts)
end

-- An action's args table is the same table on every call, so the request
-- built from it is cached per table (weak keys: no leak when a plan goes).
local function cached(build)
  local cache = setmetatable({}, { __mode = "k" })
  return function(args)
    local request = cache[args]
    if request == nil then
      request = build(args)
      cache[args] = request
    end
    return request
  end
end

local function need(args, name, command)
  if args[name] == nil then
    error(command .. " needs args." .. name)
  end
  return args[name]
end

local set_request = cached(function(args)
  return multibulk("SET", need(args, "key", "SET"), need(args, "value", "SET"))
end)

local get_request = cached(function(args)
  return multibulk("GET", need(args, "key", "GET"))
end)

local incr_request = cached(function(args)
  return multibulk("INCR", need(args, "key", "INCR"))
end)

-- Sends a request and checks that the reply starts with `prefix`; a Redis
-- error ("-ERR ...", "-WRONGTYPE ...") or anything else is a script error.
local function call(client, request, parser, prefix)
  local reply = client:send_for_reply(request, parser)
  if reply:sub(1, #prefix) ~= prefix then
    error("unexpected reply: " .. reply:gsub("\r\n$", ""), 0)
  end
  return reply
end

local M = {}

M._args = {
  PING = {},
  SET = { "key", "value" },
  GET = { "key" },
  INCR = { "key" },
}

function M.PING(client, args)
  call(client, PING, crlf, "+PONG")
end

-- args.key, args.value
function M.SET(client, args)
  call(client, set_request(args), crlf, "+OK")
end

-- args.key. The reply is a bulk string ("$5\r\nhello\r\n"), or "$-1\r\n"
-- when the key does not exist; both are fine.
function M.GET(client, args)
  call(client, get_request(args), resp, "$")
end

-- args.key. The reply is the new value as an integer (":42\r\n").
function M.INCR(client, args)
  call(client, incr_request(args), crlf, ":")
end

return M
