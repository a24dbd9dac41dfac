/** How long the graceful shutdown may take before a failed app is stopped hard. */
const FORCE_EXIT_AFTER_MS = 15_000;

/**
 * Stops an app that cannot go on (e.g. its consumer stopped for good) so that its supervisor
 * restarts it: the same graceful shutdown as SIGTERM (readiness false, last commits, leave the
 * group), then a non-zero exit. Never leaves a process that looks alive but does no work.
 */
export function exitForRestart(): void {
  process.exitCode = 1;
  setTimeout(() => process.exit(1), FORCE_EXIT_AFTER_MS).unref();
  process.kill(process.pid, 'SIGTERM');
}
