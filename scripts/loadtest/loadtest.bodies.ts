import { FleetGenerator } from '@streammetrics/fleet';

const ID = '@@id@@';
const TS = '@@ts@@';

/**
 * Request bodies from the seeded fleet model. The events' content (services, endpoints, latencies,
 * tags) is generated once into a pool of templates; each request then only fills in fresh event
 * ids and the current time, so the load generator spends its CPU on sending, and the events stay
 * within the processor's lateness bound however long the test runs.
 */
export class LoadtestBodies {
  private readonly templates: string[][];
  private sent = 0;

  constructor(
    batch: number,
    opts: { services: number; seed: number; pool?: number },
    private readonly runId = Date.now().toString(36),
  ) {
    const generator = new FleetGenerator({ services: opts.services, seed: opts.seed });
    this.templates = Array.from({ length: opts.pool ?? 64 }, () => {
      const events = Array.from({ length: batch }, () => ({
        ...generator.next(0),
        eventId: ID,
        timestamp: TS,
      }));
      const json = JSON.stringify(batch === 1 ? events[0] : events)
        .replaceAll(`"${ID}"`, ID)
        .replaceAll(`"${TS}"`, TS);
      return json.split(/(@@id@@|@@ts@@)/);
    });
  }

  /** The next body: a template with unique event ids and `now` as every event's timestamp. */
  next(now: number): string {
    const parts = this.templates[this.sent % this.templates.length] as string[];
    const request = this.sent++;
    let out = '';
    let event = 0;
    for (const part of parts) {
      if (part === ID) out += `"${this.runId}-${request}-${event++}"`;
      else if (part === TS) out += String(now);
      else out += part;
    }
    return out;
  }
}
