import { HOT_TTL_SECONDS } from '@streammetrics/contracts';

/** How far back from the newest window start of a series the hot history reaches. */
export const HISTORY_SPAN_MS = 3_600_000;

/**
 * Applies one aggregate to the hot store atomically (a script runs alone on the Redis server), so
 * two sink replicas racing on the same window during a rebalance cannot interleave the
 * read-compare-replace of a history member.
 *
 * KEYS: 1 history ZSET, 2 latest STRING
 * ARGV: 1 member JSON in aggregateJson's field order (the consumed bytes), 2 window start,
 *       3 final 1|0, 4 streamTime, 5 rollup 1|0, 6 window id
 * The TTL, the history span and the channel (updatesChannel of the store's database) are written
 * into the script text, so each call carries only what differs per record. The pub/sub update (a HotUpdate) is made here from
 * the member with its digest cut out, so the update's bytes do not cross the socket a second time.
 * The registries (series index, services, metrics of a service) are not versioned, so they are
 * updated once per batch outside the script (HotStoreRepository), not once per record in it.
 * Returns 1 when the record was applied (and published), 0 when the store already held the same
 * or a newer version of the window, or the window is older than the history span; an error reply
 * (before anything is written) when the member has no digest field to cut.
 *
 * The version rule is isNewerVersion's (hot-store.format.ts): a final beats updates, then the
 * newer streamTime. "Last hour" is measured from the newest window start of the series (data
 * time), not the wall clock, so replaying a topic rebuilds the same history; the TTL removes
 * series that stopped.
 */
export const hotWriteScript = (channel: string): string => `
local member = ARGV[1]
local start = tonumber(ARGV[2])
local final = ARGV[3] == '1'
local streamTime = tonumber(ARGV[4])
local ttl = ${HOT_TTL_SECONDS}
local span = ${HISTORY_SPAN_MS}

-- The digest is the last field named digest: a tag called digest sits earlier, inside "tags".
local digestAt = nil
local from = 1
while true do
  local s = string.find(member, ',"digest":"', from, true)
  if s == nil then break end
  digestAt = s
  from = s + 1
end
if digestAt == nil then return redis.error_reply('aggregate member has no digest field') end
local digestEnd = string.find(member, '"', digestAt + 11, true)
if digestEnd == nil then return redis.error_reply('aggregate member has an unterminated digest') end

local function version(json)
  local f, st, ws = string.match(json, '^{"final":(%a+),"streamTime":([^,]+),"window":{"type":"%a+","size":"[%w-]+","start":([^,]+),')
  if f == nil then
    local ok, obj = pcall(cjson.decode, json)
    if not ok or type(obj) ~= 'table' or type(obj['window']) ~= 'table' then return nil end
    return obj['final'] == true, tonumber(obj['streamTime']), tonumber(obj['window']['start'])
  end
  return f == 'true', tonumber(st), tonumber(ws)
end

local function newer(curFinal, curStream)
  if curFinal ~= final then return final end
  return streamTime > curStream
end

local newest = start
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #top == 2 and tonumber(top[2]) > newest then newest = tonumber(top[2]) end
if start <= newest - span then return 0 end

local existing = redis.call('ZRANGEBYSCORE', KEYS[1], start, start)
if #existing > 0 then
  local cf, cs = version(existing[1])
  if cf ~= nil and not newer(cf, cs) then return 0 end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], start, start)
end
redis.call('ZADD', KEYS[1], start, member)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', newest - span)
redis.call('EXPIRE', KEYS[1], ttl)

if ARGV[5] == '1' then
  local write = true
  local cur = redis.call('GET', KEYS[2])
  if cur then
    local cf, cs, cw = version(cur)
    if cw ~= nil then
      if start < cw then write = false elseif start == cw then write = newer(cf, cs) end
    end
  end
  if write then redis.call('SET', KEYS[2], member, 'EX', ttl) end
end

local emit = 'update'
if final then emit = 'final' end
redis.call('PUBLISH', '${channel}',
  '{"window":"' .. ARGV[6] .. '","emit":"' .. emit .. '","record":' ..
  string.sub(member, 1, digestAt - 1) .. string.sub(member, digestEnd + 1) .. '}')
return 1
`;
