import type { Message } from 'kafkajs';
import type { GatewayError } from './gateway.errors';

/** One request's records on their way to Kafka. */
export interface PublishJob {
  messages: Message[];
  bytes: number;
  /** Next record to put into a batch. */
  next: number;
  /** Records not yet acknowledged. */
  unacked: number;
  settled: boolean;
  resolve: () => void;
  reject: (err: GatewayError) => void;
}

const byteLength = (v: Message['value'] | Message['key']) =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
export const sizeOf = (m: Message) => byteLength(m.value) + byteLength(m.key) + 64;

/**
 * Micro-batching: the queued requests, cut into batches of at most `maxEvents` records and
 * `maxBytes` bytes. A request may be split over batches; `parts` tells how many of its records a
 * batch carries, so it is answered when the last of them is acknowledged.
 */
export class PublishQueue {
  private jobs: PublishJob[] = [];
  private events = 0;
  private bytes = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.jobs.length;
  }

  /** Whether a full batch is waiting (then there is no reason to linger). */
  get full(): boolean {
    return this.events >= this.maxEvents || this.bytes >= this.maxBytes;
  }

  push(job: PublishJob): void {
    this.jobs.push(job);
    this.events += job.messages.length;
    this.bytes += job.bytes;
  }

  /** Takes whole or partial jobs from the head of the queue up to the batch limits. */
  take(): { batch: Message[]; parts: Map<PublishJob, number> } {
    const batch: Message[] = [];
    const parts = new Map<PublishJob, number>();
    let bytes = 0;
    while (this.jobs.length > 0 && batch.length < this.maxEvents) {
      const job = this.jobs[0] as PublishJob;
      if (job.settled) {
        this.dropRest(job);
        continue;
      }
      while (job.next < job.messages.length && batch.length < this.maxEvents) {
        const m = job.messages[job.next] as Message;
        const size = sizeOf(m);
        if (batch.length > 0 && bytes + size > this.maxBytes) return { batch, parts };
        batch.push(m);
        bytes += size;
        job.next++;
        this.events--;
        this.bytes -= size;
        parts.set(job, (parts.get(job) ?? 0) + 1);
      }
      if (job.next === job.messages.length) this.jobs.shift();
    }
    return { batch, parts };
  }

  /** Empties the queue, returning the jobs it held. */
  drain(): PublishJob[] {
    const jobs = this.jobs;
    this.jobs = [];
    this.events = 0;
    this.bytes = 0;
    return jobs;
  }

  private dropRest(job: PublishJob): void {
    for (; job.next < job.messages.length; job.next++) {
      this.events--;
      this.bytes -= sizeOf(job.messages[job.next] as Message);
    }
    this.jobs.shift();
  }
}
