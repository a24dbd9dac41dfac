/**
 * The HTTP ceiling of the hot series: a bare Fastify route that makes the same ZRANGEBYSCORE the
 * query API makes and answers the stored members as a JSON array, as they are (no key check, no
 * parsing, no statistics). Run as its own process by the bench; prints "listening <port>" when ready.
 * Args: <redis url> <history key>.
 */
import Fastify from 'fastify';
import Redis from 'ioredis';

const [redisUrl, key] = process.argv.slice(2) as [string, string];
const redis = new Redis(redisUrl);
const app = Fastify();
const COMMA = Buffer.from(',');

app.get<{ Querystring: { from: string; to: string } }>('/hot', async (req, reply) => {
  const members = await redis.zrangebyscoreBuffer(key, Number(req.query.from), Number(req.query.to) - 1);
  const parts: Buffer[] = [Buffer.from('[')];
  members.forEach((m, i) => parts.push(...(i > 0 ? [COMMA, m] : [m])));
  parts.push(Buffer.from(']'));
  return reply.type('application/json; charset=utf-8').send(Buffer.concat(parts));
});
app.listen({ port: 0, host: '127.0.0.1' }).then(() => {
  const addr = app.server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : ''}\n`);
});
process.once('SIGTERM', () => void app.close().then(() => (redis.disconnect(), process.exit(0))));
