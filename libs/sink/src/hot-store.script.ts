/**
 * Applies one aggregate to the hot store atomically (a script runs alone on the Redis server), so
 * two sink replicas racing on the same window during a rebalance cannot interleave the
 * read-compare-replace of a history member.
 *
 * KEYS: 1 history ZSET, 2 latest STRING
 * ARGV: 1 member JSON (encodeHotRecord), 2 window start, 3 final 1|0, 4 streamTime, 5 TTL seconds,
 *       6 history span ms, 7 rollup 1|0, 8 pub/sub channel, 9 HotUpdate JSON
 * The registries (series index, services, metrics of a service) are not versioned, so they are
 * updated once per batch outside the script (HotStoreRepository), not once per record in it.
 * Returns 1 when the record was applied (and published), 0 when the store already held the same
 * or a newer version of the window, or the window is older than the history span.
 *
 * The version rule is isNewerVersion's (hot-store.format.ts): a final beats updates, then the
 * newer streamTime. "Last hour" is measured from the newest window start of the series (data
 * time), not the wall clock, so replaying a topic rebuilds the same history; the TTL removes
 * series that stopped.
 */
export const HOT_WRITE_SCRIPT = `
local member = ARGV[1]
local start = tonumber(ARGV[2])
local final = ARGV[3] == '1'
local streamTime = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local span = tonumber(ARGV[6])

local function version(json)
  local f, st, ws = string.match(json, '^{"final":(%a+),"streamTime":([^,]+),"window":{"type":"%a+","size":"%w+","start":([^,]+),')
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

if ARGV[7] == '1' then
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

redis.call('PUBLISH', ARGV[8], ARGV[9])
return 1
`;
