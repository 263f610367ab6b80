package redisstore

import "github.com/redis/go-redis/v9"

// luaPrelude is shared by the queue scripts: the Redis server clock in
// milliseconds, integer formatting for scores, and the lease check.
const luaPrelude = `
local function nowms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(n) return string.format('%.0f', n) end
-- held: the job is leased and its attempt counter (the lease token) matches.
local function held(attempts, leases, jid, token)
  return redis.call('HGET', attempts, jid) == token and redis.call('ZSCORE', leases, jid)
end
`

// enqueueScript adds a job unless its dedup marker exists.
// KEYS: stream, jobs, entries[, dedup]. ARGV: encoded job, dedup TTL ms.
// Returns the job ID, or nil for a duplicate.
var enqueueScript = redis.NewScript(`
if KEYS[4] and not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[2]) then
  return false
end
local id = redis.call('XADD', KEYS[1], '*', 'job', '')
redis.call('HSET', KEYS[2], id, ARGV[1])
redis.call('HSET', KEYS[3], id, id)
return id
`)

// claimScript moves due delayed jobs into the stream, then leases the
// first job whose lease expired (XCLAIM) or else the next new entry
// (XREADGROUP).
// KEYS: stream, delayed, leases, attempts, entries, jobs.
// ARGV: group, consumer, lease ms.
// Returns {1, id, attempts, encoded job}; {2} when an inconsistent entry
// was repaired or dropped (try again); or {0, ms until the next due/lease deadline or -1, last
// stream entry ID} when nothing is claimable.
var claimScript = redis.NewScript(luaPrelude + `
local now = nowms()
for _, jid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', int(now), 'LIMIT', 0, 100)) do
  redis.call('HSET', KEYS[5], jid, redis.call('XADD', KEYS[1], '*', 'job', jid))
  redis.call('ZREM', KEYS[2], jid)
end
local jid, entry
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', int(now), 'LIMIT', 0, 1)
if #expired > 0 then
  jid = expired[1]
  entry = redis.call('HGET', KEYS[5], jid)
  if not entry then -- inconsistent: put the job back in the stream, try again
    redis.call('ZREM', KEYS[3], jid)
    redis.call('HSET', KEYS[5], jid, redis.call('XADD', KEYS[1], '*', 'job', jid))
    return {2}
  end
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, entry)
else
  local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
  if r then
    entry = r[1][2][1][1]
    jid = r[1][2][1][2][2]
    if jid == '' then jid = entry end
  end
end
if not jid then
  local next = -1
  for _, key in ipairs({KEYS[2], KEYS[3]}) do
    local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    if #first > 0 and (next < 0 or tonumber(first[2]) < next) then next = tonumber(first[2]) end
  end
  if next >= 0 then next = math.max(next - now, 0) end
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  return {0, next, (#last > 0) and last[1][1] or '0-0'}
end
local job = redis.call('HGET', KEYS[6], jid)
if not job then -- stale entry of a deleted job: drop it, try again
  redis.call('XACK', KEYS[1], ARGV[1], entry)
  redis.call('XDEL', KEYS[1], entry)
  redis.call('ZREM', KEYS[3], jid)
  redis.call('HDEL', KEYS[4], jid)
  redis.call('HDEL', KEYS[5], jid)
  return {2}
end
local attempts = redis.call('HINCRBY', KEYS[4], jid, 1)
redis.call('ZADD', KEYS[3], int(now + tonumber(ARGV[3])), jid)
return {1, jid, attempts, job}
`)

// extendScript renews a held lease and resets the entry's idle time.
// KEYS: stream, leases, attempts, entries. ARGV: group, id, token, lease ms.
// Returns 1, or 0 when the lease was lost.
var extendScript = redis.NewScript(luaPrelude + `
if not held(KEYS[3], KEYS[2], ARGV[2], ARGV[3]) then return 0 end
local entry = redis.call('HGET', KEYS[4], ARGV[2])
if entry then
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], entry, entry, 1)
  if #p > 0 then redis.call('XCLAIM', KEYS[1], ARGV[1], p[1][2], 0, entry, 'JUSTID') end
end
redis.call('ZADD', KEYS[2], int(nowms() + tonumber(ARGV[4])), ARGV[2])
return 1
`)

// ackScript deletes a held job.
// KEYS: stream, leases, attempts, entries, jobs. ARGV: group, id, token.
// Returns 1, or 0 when the lease was lost.
var ackScript = redis.NewScript(luaPrelude + `
if not held(KEYS[3], KEYS[2], ARGV[2], ARGV[3]) then return 0 end
local entry = redis.call('HGET', KEYS[4], ARGV[2])
if entry then
  redis.call('XACK', KEYS[1], ARGV[1], entry)
  redis.call('XDEL', KEYS[1], entry)
end
redis.call('ZREM', KEYS[2], ARGV[2])
for i = 3, 5 do redis.call('HDEL', KEYS[i], ARGV[2]) end
return 1
`)

// nackScript gives a held job back: to the stream now, to the delayed set,
// or to the dead-letter set once it reached maxAttempts (0 = no limit).
// KEYS: stream, leases, attempts, entries, delayed, dead.
// ARGV: group, id, token, delay ms, maxAttempts.
// Returns 1 (requeued), 2 (dead), or 0 when the lease was lost.
var nackScript = redis.NewScript(luaPrelude + `
local jid = ARGV[2]
if not held(KEYS[3], KEYS[2], jid, ARGV[3]) then return 0 end
local now = nowms()
local entry = redis.call('HGET', KEYS[4], jid)
if entry then
  redis.call('XACK', KEYS[1], ARGV[1], entry)
  redis.call('XDEL', KEYS[1], entry)
end
redis.call('ZREM', KEYS[2], jid)
local max = tonumber(ARGV[5])
if max > 0 and tonumber(ARGV[3]) >= max then
  redis.call('HDEL', KEYS[4], jid)
  redis.call('ZADD', KEYS[6], int(now), jid)
  return 2
end
local delay = tonumber(ARGV[4])
if delay <= 0 then
  redis.call('HSET', KEYS[4], jid, redis.call('XADD', KEYS[1], '*', 'job', jid))
else
  redis.call('HDEL', KEYS[4], jid)
  redis.call('ZADD', KEYS[5], int(now + delay), jid)
end
return 1
`)

// statsScript reports {ready, in flight, dead, oldest ready age ms}. Ready
// is the stream's undelivered entries plus the delayed set; the oldest
// ready job is the first undelivered entry or a delayed job already due.
// KEYS: stream, delayed, leases, dead. ARGV: group.
var statsScript = redis.NewScript(luaPrelude + `
local now = nowms()
local undelivered, oldest = 0, -1
if redis.call('EXISTS', KEYS[1]) == 1 then
  undelivered = redis.call('XLEN', KEYS[1]) - redis.call('XPENDING', KEYS[1], ARGV[1])[1]
end
if undelivered > 0 then
  local last = '0-0'
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    local f = {}
    for i = 1, #g, 2 do f[g[i]] = g[i + 1] end
    if f['name'] == ARGV[1] then last = f['last-delivered-id'] end
  end
  local first = redis.call('XRANGE', KEYS[1], '(' .. last, '+', 'COUNT', 1)
  if #first > 0 then oldest = tonumber(string.match(first[1][1], '^(%d+)')) end
end
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', int(now), 'WITHSCORES', 'LIMIT', 0, 1)
if #due > 0 and (oldest < 0 or tonumber(due[2]) < oldest) then oldest = tonumber(due[2]) end
local age = 0
if oldest >= 0 and now > oldest then age = now - oldest end
return {undelivered + redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]),
  redis.call('ZCARD', KEYS[4]), age}
`)

// casScript sets KEYS[1] to ARGV[3] when it is absent (ARGV[1] == '1') or
// equals ARGV[2]; ARGV[4] is the TTL in ms (0 = none). Returns 1 or 0.
var casScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
`)

// acquireScript takes lock KEYS[1] for owner ARGV[1] for ARGV[2] ms when it
// is free, or renews it when owner already holds it. Returns 1 or 0.
var acquireScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// refreshScript renews lock KEYS[1] for ARGV[2] ms when owner ARGV[1]
// holds it. Returns 1 or 0.
var refreshScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// releaseScript deletes lock KEYS[1] when owner ARGV[1] holds it.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`)
