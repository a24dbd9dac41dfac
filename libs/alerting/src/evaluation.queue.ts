/**
 * One piece of evaluation work at a time: consumed batches and repeat checks change the same alert
 * states, so they run one after the other, in arrival order; a failed piece does not stop the queue.
 */
export class EvaluationQueue {
  private tail: Promise<unknown> = Promise.resolve();

  readonly exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  };

  /** Resolves once the queued work is done. */
  drained(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
