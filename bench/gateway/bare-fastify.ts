/**
 * The ceiling peer: a bare Fastify route that parses the JSON body and does no work. Run as its own
 * process by the bench; prints "listening <port>" when ready.
 */
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 1024 * 1024 });
app.post('/noop', async () => ({ success: true }));
app.listen({ port: Number(process.argv[2] ?? 0), host: '127.0.0.1' }).then(() => {
  const addr = app.server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : ''}\n`);
});
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
