/** The structured logger the sink writes to (pino-compatible argument order: fields, then message). */
export interface SinkLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export const silentLog: SinkLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
