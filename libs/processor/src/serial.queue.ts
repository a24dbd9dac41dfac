/**
 * Runs async jobs one at a time in submission order. Each input partition has one for the jobs
 * that use its transactional producer or replace its state (initialise, commit, rebuild, close):
 * a kafkajs producer must never have two transactions open at once. Ingesting a batch is
 * synchronous and needs no slot.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
