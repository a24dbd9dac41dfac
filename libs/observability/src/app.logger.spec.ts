import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import pino from 'pino';
import { PinoNestLogger } from './app.logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: new PinoNestLogger(pino({ level: 'trace', base: { app: 'test-app' } }, stream)) };
}

describe('PinoNestLogger', () => {
  it("writes Nest's messages as pino records with their context", async () => {
    const { lines, logger } = capture();
    logger.log('Mapped {/api, GET} route', 'RoutesResolver');
    logger.warn('slow', 'Sink');
    logger.verbose('detail');
    await new Promise((r) => setImmediate(r));
    expect(lines.map(({ level, app, context, msg }) => ({ level, app, context, msg }))).toEqual([
      { level: 30, app: 'test-app', context: 'RoutesResolver', msg: 'Mapped {/api, GET} route' },
      { level: 40, app: 'test-app', context: 'Sink', msg: 'slow' },
      { level: 10, app: 'test-app', context: undefined, msg: 'detail' },
    ]);
  });

  it('keeps an error’s stack (Nest passes message, stack, context)', async () => {
    const { lines, logger } = capture();
    logger.error('boom', 'Error: boom\n    at main (main.ts:1:1)', 'NestApplication');
    logger.error(new Error('bad config'), 'bootstrap');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({
      level: 50,
      context: 'NestApplication',
      msg: 'boom',
      err: { stack: 'Error: boom\n    at main (main.ts:1:1)' },
    });
    expect(lines[1]).toMatchObject({
      level: 50,
      context: 'bootstrap',
      msg: 'bad config',
      err: { message: 'bad config' },
    });
  });

  it("takes over Nest's static Logger (what a main logs before the app exists)", async () => {
    const { lines, logger } = capture();
    Logger.overrideLogger(logger); // what useAppLogger does (jest gives each spec file its own Logger)
    new Logger('query-api').log('dashboard: building it with Vite');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({
      level: 30,
      context: 'query-api',
      msg: 'dashboard: building it with Vite',
    });
  });
});
