/**
 * Runs async jobs one at a time in submission order. Each input partition has one: the batch
 * handler and the commit timer both touch the partition's state and its transactional producer,
 * and a kafkajs producer must never have two transactions open at once.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
