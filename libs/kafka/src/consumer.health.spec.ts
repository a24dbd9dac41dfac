import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { ConsumerHealth } from './consumer.health';
import type { ConsumerFailure } from './consumer.failure';

/** The two kafkajs events ConsumerHealth listens to, raised by hand (its port is `on` + `events`). */
function fakeEvents() {
  const emitter = new EventEmitter();
  const port = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: (event: string, listener: (e: unknown) => void) => {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
  } as unknown as Pick<Consumer, 'on' | 'events'>;
  return {
    port,
    join: () => emitter.emit('consumer.group_join', { payload: { memberAssignment: { t: [0] } } }),
    crash: (error: Error, restart: boolean) =>
      emitter.emit('consumer.crash', { payload: { error, restart } }),
  };
}

function logSink() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  return {
    lines,
    log: {
      warn: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'warn', msg, fields }),
      error: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'error', msg, fields }),
    },
  };
}

describe('ConsumerHealth', () => {
  it('is ready only after joining and while its dependency works', () => {
    const ev = fakeEvents();
    const { log } = logSink();
    const joins: unknown[] = [];
    const h = new ConsumerHealth(ev.port, { name: 'test consumer', log, onJoin: (e) => joins.push(e) });
    expect(h.health()).toEqual({ ok: false, detail: 'not in the consumer group yet' });
    ev.join();
    expect(h.health()).toEqual({ ok: true });
    expect(joins).toHaveLength(1);
    h.failing = 'store down';
    expect(h.health()).toEqual({ ok: false, detail: 'store down' });
    h.failing = undefined;
    expect(h.health()).toEqual({ ok: true });
  });

  it('logs a restartable crash and is not ready until the next join', () => {
    const ev = fakeEvents();
    const { log, lines } = logSink();
    const fatal: ConsumerFailure[] = [];
    const h = new ConsumerHealth(ev.port, {
      name: 'c',
      fields: { store: 'redis' },
      log,
      onFatal: (f) => fatal.push(f),
    });
    ev.join();
    ev.crash(new Error('coordinator moved'), true);
    expect(h.health().ok).toBe(false);
    expect(fatal).toEqual([]);
    expect(lines).toEqual([
      { level: 'warn', msg: 'c crashed; restarting', fields: { store: 'redis', err: 'coordinator moved' } },
    ]);
    ev.join();
    expect(h.health()).toEqual({ ok: true });
  });

  it('describes a crash kafkajs gives up on, hands it to onFatal once and stays not ready', () => {
    const ev = fakeEvents();
    const { log, lines } = logSink();
    const fatal: ConsumerFailure[] = [];
    const h = new ConsumerHealth(ev.port, { name: 'c', log, onFatal: (f) => fatal.push(f) });
    ev.join();
    const err = Object.assign(new Error('bad batch at 42'), {
      name: 'KafkaJSUndecodableBatchError',
      topic: 't',
      partition: 1,
      offset: '42',
    });
    ev.crash(err, false);
    expect(fatal).toEqual([
      { reason: 'UNDECODABLE_BATCH', message: 'bad batch at 42', topic: 't', partition: 1, offset: '42' },
    ]);
    expect(h.health()).toEqual({ ok: false, detail: 'consumer stopped: bad batch at 42' });
    expect(lines[0]).toMatchObject({ level: 'error', fields: { reason: 'UNDECODABLE_BATCH', offset: '42' } });
  });
});
