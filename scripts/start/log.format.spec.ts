import { clock, formatLogLine } from './log.format';

const ESC = String.fromCharCode(27);
const T = Date.UTC(2026, 11, 2, 14, 3, 7, 412);
const plain = { color: false, appWidth: 16 };
const line = (rec: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: T, pid: 7, hostname: 'h', ...rec });

describe('formatLogLine', () => {
  it('shows time, level, app, context and message of a Nest record on one line', () => {
    expect(
      formatLogLine(
        line({ app: 'query-api', context: 'RoutesResolver', msg: 'Mapped {/api/v1/series, GET} route' }),
        'query-api',
        plain,
      ),
    ).toBe(`${clock(T)} INFO  query-api        [RoutesResolver] Mapped {/api/v1/series, GET} route`);
  });

  it('shows a request log as method, url, status and duration, without the headers', () => {
    const out = formatLogLine(
      line({
        app: 'ingest-gateway',
        msg: 'request completed',
        req: { id: 1, method: 'POST', url: '/v1/events', headers: { authorization: '[redacted]' } },
        res: { statusCode: 202, headers: {} },
        responseTime: 3,
      }),
      'ingest-gateway',
      plain,
    );
    expect(out).toBe(`${clock(T)} INFO  ingest-gateway   request completed POST /v1/events 202 3 ms`);
  });

  it('adds the other fields as key=value and an error with its stack indented below', () => {
    const out = formatLogLine(
      line({
        level: 50,
        app: 'aggregate-sink',
        msg: 'write failed',
        partition: 3,
        topic: 'metrics-aggregated-1m',
        detail: 'two words',
        err: {
          type: 'Error',
          message: 'connection refused',
          stack: 'Error: connection refused\n    at write (sink.ts:1:1)',
        },
      }),
      'aggregate-sink',
      plain,
    );
    expect(out.split('\n')).toEqual([
      `${clock(T)} ERROR aggregate-sink   write failed err="connection refused" partition=3 topic=metrics-aggregated-1m detail="two words"`,
      '    Error: connection refused',
      '        at write (sink.ts:1:1)',
    ]);
  });

  it('names the level of every pino level and colours it on a terminal', () => {
    const levels = [10, 20, 30, 40, 50, 60].map(
      (level) => formatLogLine(line({ level, msg: 'x' }), 'fleet', { color: false }).split(' ')[1],
    );
    expect(levels).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
    const coloured = formatLogLine(line({ level: 40, app: 'query-api', msg: 'slow' }), 'query-api', {
      color: true,
    });
    expect(coloured).toContain('\u001b[33mWARN \u001b[0m');
    expect(coloured.replace(new RegExp(`${ESC}\\[[\\d;]*m`, 'g'), '')).toBe(
      `${clock(T)} WARN  query-api slow`,
    );
  });

  it('puts lines that are not pino records in the same columns, at the time they arrive', () => {
    const opts = { ...plain, now: () => T };
    expect(formatLogLine('Error: DATABASE_URL must be a URL', 'query-api', opts)).toBe(
      `${clock(T)}       query-api        Error: DATABASE_URL must be a URL`,
    );
    expect(formatLogLine('[fleet] SIGTERM: finishing the batch in flight', 'fleet', opts)).toBe(
      `${clock(T)}       fleet            SIGTERM: finishing the batch in flight`,
    );
    expect(formatLogLine('{"not":"a record"}', 'fleet', opts)).toBe(
      `${clock(T)}       fleet            {"not":"a record"}`,
    );
    expect(formatLogLine('{broken', 'fleet', opts)).toBe(`${clock(T)}       fleet            {broken`);
  });

  it('uses the child name when a record has no app, and shortens very long values', () => {
    const out = formatLogLine(line({ msg: 'batch', keys: 'k'.repeat(500) }), 'fleet', { color: false });
    expect(out.startsWith(`${clock(T)} INFO  fleet batch keys=`)).toBe(true);
    expect(out.length).toBeLessThan(200);
  });
});

describe('clock', () => {
  it('is the local time with milliseconds', () => {
    const d = new Date(T);
    expect(clock(T)).toBe(
      `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}.412`,
    );
  });
});
