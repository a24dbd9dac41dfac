/**
 * `npm start` on a terminal: one readable line per log record of the children. The apps always
 * write pino JSON (the format k8s, CI and the tests read); this turns each JSON line into
 *
 *   14:03:07.412 INFO  query-api        [RoutesResolver] Mapped {/api/v1/series, GET} route
 *   14:03:09.001 INFO  ingest-gateway   request completed POST /v1/events 202 3 ms
 *   14:03:10.220 ERROR aggregate-sink   write failed err="connection refused" partition=3
 *       Error: connection refused
 *           at ...
 *
 * Lines that are not pino records (a script's own output, a crash on stderr) get the same columns,
 * with the time they arrived and no level.
 */

export interface LogFormatOptions {
  /** ANSI colours (a terminal that has not asked for NO_COLOR). */
  color: boolean;
  /** Width of the app column; the longest child name. */
  appWidth?: number;
  /** The clock for lines that carry no time of their own. */
  now?: () => number;
}

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '90' },
  30: { name: 'INFO', color: '32' },
  40: { name: 'WARN', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '1;31' },
};

/** Keys shown in their own place (or not at all: pid and hostname say nothing on one machine). */
const SHOWN = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'app',
  'msg',
  'context',
  'req',
  'res',
  'responseTime',
  'err',
]);
const MAX_VALUE = 120;

type LogRecord = Record<string, unknown> & { level: number; time: number };

function isRecord(v: unknown): v is LogRecord {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as LogRecord).level === 'number' &&
    typeof (v as LogRecord).time === 'number'
  );
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time with milliseconds. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function value(v: unknown): string {
  const s =
    typeof v === 'string' ? (/[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v) : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** One record as one line (plus the error's stack, indented, when it has one). */
export function formatRecord(rec: LogRecord, fallbackApp: string, opts: LogFormatOptions): string {
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const level = LEVELS[rec.level] ?? { name: `L${rec.level}`, color: '0' };
  const app = typeof rec.app === 'string' ? rec.app : fallbackApp;
  const parts = [
    paint('2', clock(rec.time)),
    paint(level.color, level.name.padEnd(5)),
    paint('36', app.padEnd(opts.appWidth ?? 0)),
  ];
  if (typeof rec.context === 'string' && rec.context !== '') parts.push(paint('2', `[${rec.context}]`));
  if (rec.msg !== undefined && rec.msg !== '') parts.push(String(rec.msg));
  const req = rec.req as { method?: string; url?: string } | undefined;
  const res = rec.res as { statusCode?: number } | undefined;
  if (req?.method || req?.url) parts.push(`${req.method ?? ''} ${req.url ?? ''}`.trim());
  if (res?.statusCode !== undefined) parts.push(String(res.statusCode));
  if (typeof rec.responseTime === 'number') parts.push(`${rec.responseTime} ms`);
  const err = rec.err as { message?: string; stack?: string } | undefined;
  if (err?.message) parts.push(`${paint(level.color, 'err=')}${value(err.message)}`);
  for (const [k, v] of Object.entries(rec)) {
    if (!SHOWN.has(k) && v !== undefined) parts.push(`${paint('2', `${k}=`)}${value(v)}`);
  }
  let line = parts.join(' ');
  if (err?.stack) line += '\n' + err.stack.replace(/^/gm, '    ');
  return line;
}

/** A child's output line: a pino record formatted, anything else in the same columns. */
export function formatLogLine(line: string, app: string, opts: LogFormatOptions): string {
  if (line.startsWith('{')) {
    try {
      const rec: unknown = JSON.parse(line);
      if (isRecord(rec)) return formatRecord(rec, app, opts);
    } catch {
      // not JSON after all: shown as it is
    }
  }
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  // Scripts that prefix their own lines ("[fleet] ...") would show the name twice.
  const text = line.startsWith(`[${app}] `) ? line.slice(app.length + 3) : line;
  return [
    paint('2', clock((opts.now ?? Date.now)())),
    ' '.repeat(5),
    paint('36', app.padEnd(opts.appWidth ?? 0)),
    text,
  ].join(' ');
}
