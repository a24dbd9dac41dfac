/** How long the graceful shutdown may take before a failed app is stopped hard. */
const FORCE_EXIT_AFTER_MS = 15_000;

/**
 * Stops an app that cannot go on (e.g. its consumer stopped for good) so that its supervisor
 * restarts it: the same graceful shutdown as SIGTERM (readiness false, last commits, leave the
 * group), then exit code 1. Never leaves a process that looks alive but does no work.
 *
 * Nest's shutdown hook ends by raising the signal again, which would make the process die of
 * SIGTERM like any stopped app. A listener of our own outlives Nest's: it lets the first SIGTERM
 * (ours) through to the graceful shutdown and turns the re-raised one into exit code 1, which
 * says "failed" rather than "stopped".
 */
export function exitForRestart(): void {
  process.exitCode = 1;
  setTimeout(() => process.exit(1), FORCE_EXIT_AFTER_MS).unref();
  let received = 0;
  process.on('SIGTERM', () => {
    if (++received > 1) process.exit(1);
  });
  process.kill(process.pid, 'SIGTERM');
}
