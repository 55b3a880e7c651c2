/**
 * Lua scripts of the Redis broker. Each runs atomically in Redis, so a channel's offsets are gap-free and
 * every node receives a channel's publications in offset order. Times come from Redis (`TIME`), so every
 * node ages history by the same clock.
 *
 * Keys of one channel: a hash `meta` {epoch, offset} and a stream whose entry ids are `<offset>-0` with
 * fields `t` (publish time, ms) and `p` (the JSON of type, data and publisher).
 */

/** Shared prologue: the channel's meta, created with the caller's fresh epoch when missing. */
const ENSURE_META = `
local meta, stream = KEYS[1], KEYS[2]
local epoch = redis.call('HGET', meta, 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', stream)
  redis.call('HSET', meta, 'epoch', epoch, 'offset', 0)
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/**
 * KEYS: meta, stream. ARGV: fresh epoch, size, ttlMs, metaTtlMs, payload JSON, pub/sub channel.
 * Returns {epoch, offset, time}.
 */
export const PUBLISH_LUA = `${ENSURE_META}
local offset = redis.call('HINCRBY', meta, 'offset', 1)
redis.call('PEXPIRE', meta, ARGV[4])
local size = tonumber(ARGV[2])
if size > 0 then
  redis.call('XADD', stream, 'MAXLEN', '~', size, offset .. '-0', 't', now, 'p', ARGV[5])
  redis.call('PEXPIRE', stream, ARGV[3])
end
redis.call('PUBLISH', ARGV[6], epoch .. '\\n' .. offset .. '\\n' .. now .. '\\n' .. ARGV[5])
return {epoch, offset, now}
`;

/**
 * KEYS: meta, stream. ARGV: fresh epoch, size, ttlMs, metaTtlMs, since epoch ('' = no since), since offset,
 * limit (-1 = none). Returns {epoch, offset, complete (0/1), offset1, time1, payload1, offset2, ...}, ascending.
 *
 * Kept entries are those within the newest `size` offsets and younger than ttlMs (the stream is trimmed
 * approximately, so both bounds are applied here, exactly). They form a suffix of the stream.
 */
export const HISTORY_LUA = `${ENSURE_META}
redis.call('PEXPIRE', meta, ARGV[4])
local offset = tonumber(redis.call('HGET', meta, 'offset'))
local size = tonumber(ARGV[2])
local oldest = now - tonumber(ARGV[3])
local minOffset = offset - size
local sinceEpoch, sinceOffset, limit = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local out = {epoch, offset, 1}
local function entryOffset(e) return tonumber(string.match(e[1], '^(%d+)')) end
local function entryTime(e) return tonumber(e[2][2]) end
local function push(e) out[#out + 1] = entryOffset(e); out[#out + 1] = entryTime(e); out[#out + 1] = e[2][4] end
-- Ascending kept entries from offset 'from' on, at most 'count' (-1 = all).
local function readKept(from, count)
  local n = 0
  if count == 0 or size == 0 then return end
  local cursor = math.max(from, minOffset + 1, 1)
  while true do
    local batch = redis.call('XRANGE', stream, cursor .. '-0', '+', 'COUNT', 100)
    for _, e in ipairs(batch) do
      if entryTime(e) > oldest then
        push(e)
        n = n + 1
        if count > 0 and n >= count then return end
      end
      cursor = entryOffset(e) + 1
    end
    if #batch < 100 then return end
  end
end
if sinceEpoch == '' then
  if limit < 0 then
    readKept(1, -1)
  elseif limit > 0 and size > 0 then
    local batch = redis.call('XREVRANGE', stream, '+', math.max(minOffset + 1, 1) .. '-0', 'COUNT', limit)
    for i = #batch, 1, -1 do
      if entryTime(batch[i]) > oldest then push(batch[i]) end
    end
  end
else
  local sameEpoch = sinceEpoch == epoch
  local after = 0
  if sameEpoch then after = sinceOffset end
  readKept(after + 1, limit)
  local complete = sameEpoch and sinceOffset <= offset
  if complete and sinceOffset < offset then
    -- Complete only while the publication right after 'since' is still kept.
    local next = sinceOffset + 1
    complete = false
    if next > minOffset and next >= 1 and size > 0 then
      local e = redis.call('XRANGE', stream, next .. '-0', next .. '-0')
      complete = #e == 1 and entryTime(e[1]) > oldest
    end
  end
  if not complete then out[3] = 0 end
end
return out
`;

/** KEYS: hash, zset. ARGV: id, info JSON, ttlMs. Adds or refreshes one presence entry. */
export const PRESENCE_ADD_LUA = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
for i = 1, 2 do
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
`;

/** KEYS: hash, zset. Drops expired entries and returns {id1, info1, id2, info2, ...}. */
export const PRESENCE_LIST_LUA = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for i = 1, #expired, 1000 do
  redis.call('HDEL', KEYS[1], unpack(expired, i, math.min(i + 999, #expired)))
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now) end
return redis.call('HGETALL', KEYS[1])
`;

/** KEYS: counter. ARGV: windowMs. A fixed window that starts at its first increment. */
export const INCREMENT_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;
