-- durian: the line protocol of the demo chat server (examples/servers,
-- `durian-server`). Each request is one line ending in "\r\n", and each
-- gets one reply line: "+OK ..." on success, "-ERR ..." otherwise. A
-- connection in a chatroom also gets what the others send there, unasked:
-- ">message <rid> <text>\r\n" (see on_push below).
local swarm = require("swarm")

-- Built once: every reply is one CRLF-terminated line.
local crlf = swarm.reply_parser_crlf()

-- Requests that never change are built once, here.
local HEARTBEAT = "heartbeat\r\n"
local LEAVE_CHATROOM = "leave_chatroom\r\n"

-- YAML numbers arrive as Lua numbers: print whole ones without a fraction
-- or an exponent (tostring(123456789012345) would give "1.2345678901234e+14").
local function text_of(value)
  if type(value) == "number" and value == math.floor(value) then
    return string.format("%d", value)
  end
  return tostring(value)
end

-- An action's args table is the same table on every call, so a request
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

local enter_request = cached(function(args)
  if args.rid == nil then
    return "enter_chatroom\r\n"
  end
  return "enter_chatroom " .. text_of(args.rid) .. "\r\n"
end)

local message_request = cached(function(args)
  return "send_message " .. text_of(args.text or "hello") .. "\r\n"
end)

local login_request = cached(function(args)
  if args.uid == nil then
    error("login needs args.uid")
  end
  return "login " .. text_of(args.uid) .. "\r\n"
end)

-- Sends a request and returns its reply; anything but "+OK" is an error
-- (swarm counts it as a script error and shows the reply).
local function call(client, request)
  local reply = client:send_for_reply(request, crlf)
  if reply:sub(1, 3) ~= "+OK" then
    error("unexpected reply: " .. reply:gsub("\r\n$", ""), 0)
  end
  return reply
end

local M = {}

-- The args each command accepts; swarm checks every plan against this.
-- `uid` on the chat commands is accepted (and not sent) so that scripts
-- written for the original swarm's example still load: durian knows users
-- by their login, not by a uid on every request.
M._args = {
  heartbeat = { "uid" },
  enter_chatroom = { "rid", "uid" },
  leave_chatroom = { "uid" },
  send_message = { "text" },
  login = { "uid" },
  whoami = {},
  close_connection = {},
}

function M.heartbeat(client, args)
  call(client, HEARTBEAT)
end

-- args.rid: the room to enter (optional, default 0).
function M.enter_chatroom(client, args)
  call(client, enter_request(args))
end

function M.leave_chatroom(client, args)
  call(client, LEAVE_CHATROOM)
end

-- args.text: the message (optional, default "hello").
function M.send_message(client, args)
  call(client, message_request(args))
end

-- args.uid: who to log in as. The token the server returns is kept for
-- whoami in client.state, which lives as long as this connection.
function M.login(client, args)
  local reply = call(client, login_request(args))
  local token = reply:match("^%+OK token (%x+)")
  if token == nil then
    error("login: no token in reply: " .. reply:gsub("\r\n$", ""))
  end
  client.state.token = token
  client.state.whoami = "whoami " .. token .. "\r\n"
end

-- Asks the server who we are, with the token from login.
function M.whoami(client, args)
  local request = client.state.whoami
  if request == nil then
    error("whoami before login on this connection")
  end
  call(client, request)
end

-- What the server sends unasked: chatroom messages from the other members.
-- Framed like replies (one line), and told from replies by their ">": one
-- that arrives while a reply is awaited is taken out first, so the reply
-- is never mixed up with it. swarm counts each as a received message.
M._push_parser = crlf
M._push_prefix = ">"

function M.on_push(client, data)
  if data:sub(1, 9) ~= ">message " then
    error("unexpected push: " .. data:gsub("\r\n$", ""), 0)
  end
end

-- Ends this iteration: swarm reconnects and starts the plan again.
function M.close_connection(client, args)
  client:close_connection()
end

return M
