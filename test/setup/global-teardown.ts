import { startedContainers } from './test-stack';

/** Stops what this run started with testcontainers; the local stack stays up for the next run. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all(startedContainers.splice(0).map((c) => c.stop()));
}
