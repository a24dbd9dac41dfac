import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { sleep } from './net.util';

/**
 * A JVM service of the local stack (the broker, the schema registry): started detached so it
 * outlives the command that started it, found again through its pid file, stopped by signal.
 */
export interface JavaDaemon {
  /** Human name for messages: "the broker", "the schema registry". */
  name: string;
  pidFile: string;
  /** Where its stdout and stderr go (appended). */
  outFile: string;
}

/** The pid in the daemon's pid file if that process is alive. */
export function daemonPid(d: JavaDaemon): number | undefined {
  if (!existsSync(d.pidFile)) return undefined;
  const pid = Number(readFileSync(d.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** The last lines of the daemon's output, for an error message. */
export function daemonOutputTail(d: JavaDaemon, lines = 40): string {
  if (!existsSync(d.outFile)) return `(no output of ${d.name})`;
  return readFileSync(d.outFile, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * Starts `java args` detached, writes its pid file, and waits for `ready()`; fails early when the
 * process exits first, with the tail of its output either way.
 */
export async function startJavaDaemon(
  d: JavaDaemon,
  args: string[],
  ready: () => Promise<void>,
  cwd?: string,
): Promise<void> {
  const out = openSync(d.outFile, 'a');
  const child = spawn('java', args, { cwd, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  if (child.pid === undefined) throw new Error('could not spawn java: is Java 17 installed?');
  writeFileSync(d.pidFile, String(child.pid));
  child.unref();
  let exited: number | null = null;
  let settled = false;
  child.on('exit', (code) => (exited = code ?? -1));
  try {
    await Promise.race([
      ready(),
      (async () => {
        // Stops watching once ready: a loop left running would keep the caller's process alive.
        while (exited === null && !settled) await sleep(200);
        if (exited !== null) throw new Error(`${d.name} exited with code ${exited}`);
      })(),
    ]);
  } catch (err) {
    throw new Error(
      `${d.name} did not become ready: ${(err as Error).message}\n` +
        `--- tail of ${d.outFile} ---\n${daemonOutputTail(d)}`,
    );
  } finally {
    settled = true;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; removes the pid file. */
export async function stopJavaDaemon(d: JavaDaemon, graceMs: number): Promise<'stopped' | 'not running'> {
  const pid = daemonPid(d);
  if (pid === undefined) return 'not running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && daemonPid(d) !== undefined) await sleep(200);
  if (daemonPid(d) !== undefined) process.kill(pid, 'SIGKILL');
  rmSync(d.pidFile, { force: true });
  return 'stopped';
}
