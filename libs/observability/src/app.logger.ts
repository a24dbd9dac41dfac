import { Logger, type LoggerService } from '@nestjs/common';
import pino, { type Logger as PinoInstance } from 'pino';

export interface ObservabilityOptions {
  app: string;
  logLevel: string;
}

/** API keys must never reach the logs, whichever way the client sent them. */
const REDACT = {
  paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
  censor: '[redacted]',
};

const instances = new Map<string, PinoInstance>();

/**
 * The app's one pino logger (JSON lines on stdout, `app` on every record): the request logs, the
 * services' loggers and Nest's own messages all write through it. One per app and level per process.
 */
export function appLogger(opts: ObservabilityOptions): PinoInstance {
  const key = `${opts.app}\u0000${opts.logLevel}`;
  let logger = instances.get(key);
  if (!logger) {
    logger = pino({ level: opts.logLevel, base: { app: opts.app }, redact: REDACT });
    instances.set(key, logger);
  }
  return logger;
}

const STACK = /\n\s+at /;

/**
 * Nest's LoggerService over a pino logger, for what Nest logs before the app (and nestjs-pino's
 * request-aware Logger) exists: `new Logger(ctx)` in a main, and Nest's start-up errors. Records
 * look like nestjs-pino's: `context` and `msg`, an Error as `err`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: PinoInstance) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
  /** Nest calls `error(message, stack?, context?)`. */
  error(message: unknown, ...params: unknown[]): void {
    const rest = [...params];
    const context =
      rest.length > 1 || (typeof rest[0] === 'string' && !STACK.test(rest[0])) ? rest.pop() : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    if (message instanceof Error) this.pino.error({ ...fields, err: message }, message.message);
    else
      this.pino.error(
        stack ? { ...fields, err: { message: String(message), stack } } : fields,
        String(message),
      );
  }

  private write(
    level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    params: unknown[],
  ): void {
    const context = typeof params[params.length - 1] === 'string' ? params[params.length - 1] : undefined;
    const fields = context === undefined ? {} : { context };
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ ...fields, ...message });
    else this.pino[level](fields, String(message));
  }
}

/**
 * Routes Nest's static Logger through the app's pino logger from the first line of a main on, so
 * nothing is printed in Nest's coloured console format (bootstrapApp then hands over to
 * nestjs-pino's Logger, which adds the request context). Returns the pino logger.
 */
export function useAppLogger(opts: ObservabilityOptions): PinoInstance {
  const logger = appLogger(opts);
  Logger.overrideLogger(new PinoNestLogger(logger));
  return logger;
}
