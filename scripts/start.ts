/**
 * `npm start`: the whole platform on one machine. Brings the stack up (Kafka, PostgreSQL, Redis,
 * topics, migrations), then runs every app under apps/ and, unless SIMULATE=0, the simulated
 * fleet of services so the dashboard has data, and a webhook receiver that logs the alerts the
 * example rule (scripts/start/alert-rules.yaml) sends. Ctrl-C stops everything gracefully (SIGTERM).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startAlertReceiver } from './start/alert-receiver';
import { formatLogLine, formatRecord, type LogFormatOptions } from './start/log.format';
import { appNames, localKeys, platformEnv, spawnApp, spawnScript } from './start/platform';
import { loadStackConfig } from './stack/stack.config';
import { provisionAndMigrate, stackUp } from './stack/stack.service';
import { ROOT } from './stack/stack.paths';

/** Pretty output (undefined: the children's lines as they are, prefixed); set once from the config. */
let pretty: LogFormatOptions | undefined;

const log = (msg: string) =>
  process.stdout.write(
    (pretty ? formatRecord({ level: 30, time: Date.now(), msg }, 'start', pretty) : `[start] ${msg}`) + '\n',
  );

function run(name: string, child: ChildProcess): ChildProcess {
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines)
        process.stdout.write((pretty ? formatLogLine(line, name, pretty) : prefix + line) + '\n');
    });
  }
  child.on('exit', (code, signal) => log(`${name} exited (${signal ?? code})`));
  return child;
}

async function main(): Promise<void> {
  const cfg = loadStackConfig();
  if ((cfg.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty') {
    // 'stream-processor', the longest name, sets the app column's width.
    pretty = { color: process.stdout.isTTY === true && cfg.NO_COLOR === undefined, appWidth: 16 };
  }
  const ep = await stackUp(cfg, log);
  await provisionAndMigrate(ep, cfg.KAFKA_REPLICATION_FACTOR, log);
  const keys = localKeys();
  // The example alert rule notifies this receiver, which logs what it gets.
  const receiverPort = Number(process.env.ALERT_RECEIVER_PORT ?? 9099);
  const receiver = await startAlertReceiver(receiverPort, log).catch((err: Error) => {
    log(`alert receiver not started on ${receiverPort}: ${err.message}`);
    return undefined;
  });
  const env = platformEnv(ep, keys, process.env);
  const children: ChildProcess[] = appNames().map((app) => run(app, spawnApp(app, env)));
  const simulator = join('scripts', 'simulate.ts');
  if (process.env.SIMULATE !== '0' && existsSync(join(ROOT, simulator))) {
    children.push(run('fleet', spawnScript(simulator, ['--rate', process.env.SIMULATE_RATE ?? '200'], env)));
  }
  log(
    children.length === 0
      ? 'stack is up (no apps yet); `npm run stack -- down` stops the broker'
      : `running ${children.length} processes; dashboard at http://127.0.0.1:3000/, ingest at ` +
          `http://127.0.0.1:8080 (key in .stack/local-keys.json) — Ctrl-C to stop`,
  );
  const stop = () => {
    log('stopping...');
    for (const c of children) c.kill('SIGTERM');
    setTimeout(() => process.exit(0), 15_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
  receiver?.close();
}

main().catch((err: Error) => {
  process.stderr.write(`[start] ${err.message}\n`);
  process.exit(1);
});
