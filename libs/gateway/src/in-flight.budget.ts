/**
 * Backpressure: the events and bytes accepted but not yet acknowledged, across all requests. One
 * counter pair, changed only by admit and release, so it cannot drift from the queue's state.
 */
export class InFlightBudget {
  private events = 0;
  private bytes = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
    private readonly onChange: (events: number) => void = () => undefined,
  ) {}

  /**
   * Admits a request unless it would pass a limit; an empty gateway always takes one request, so a
   * single large one cannot be refused forever. Returns why it was refused, or undefined.
   */
  admit(events: number, bytes: number): string | undefined {
    if (this.events > 0 && (this.events + events > this.maxEvents || this.bytes + bytes > this.maxBytes)) {
      return `${this.events} events / ${this.bytes} bytes awaiting Kafka`;
    }
    this.events += events;
    this.bytes += bytes;
    this.onChange(this.events);
    return undefined;
  }

  release(events: number, bytes: number): void {
    this.events -= events;
    this.bytes -= bytes;
    this.onChange(this.events);
  }

  get inFlightEvents(): number {
    return this.events;
  }
}
