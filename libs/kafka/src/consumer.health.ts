import type { Consumer, ConsumerGroupJoinEvent } from 'kafkajs';
import { describeConsumerFailure, type ConsumerFailure } from './consumer.failure';

export interface ConsumerHealthLog {
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export interface ConsumerHealthOptions {
  /** Who the consumer is in logs, e.g. "sink consumer" or "alerting consumer". */
  name: string;
  /** Fields every log line of this consumer carries (e.g. the store it feeds). */
  fields?: Record<string, unknown>;
  log: ConsumerHealthLog;
  /** Called once when kafkajs gives up on the consumer: it will not restart it by itself. */
  onFatal?: (failure: ConsumerFailure) => void;
  /** Called on every group join, after the state is reset (e.g. to load the assignment's state). */
  onJoin?: (event: ConsumerGroupJoinEvent) => void;
}

/**
 * The readiness of one consumer group member, from kafkajs' events and the consumer's own report of
 * a failing dependency: not ready before the first join, while a store it writes to fails, and for
 * good once kafkajs stopped the consumer (then the failure is described, logged and handed to
 * onFatal, which exits so the supervisor restarts the app instead of a partition staying wedged).
 */
export class ConsumerHealth {
  private joined = false;
  private crashed: string | undefined;
  private failure: string | undefined;

  constructor(consumer: Pick<Consumer, 'on' | 'events'>, opts: ConsumerHealthOptions) {
    const { GROUP_JOIN, CRASH } = consumer.events;
    consumer.on(GROUP_JOIN, (e) => {
      this.joined = true;
      this.crashed = undefined;
      opts.onJoin?.(e);
    });
    consumer.on(CRASH, (e) => {
      this.joined = false;
      const fields = opts.fields ?? {};
      if (e.payload.restart) {
        opts.log.warn({ ...fields, err: messageOf(e.payload.error) }, `${opts.name} crashed; restarting`);
        return;
      }
      const f = describeConsumerFailure(e.payload.error);
      this.crashed = f.message;
      opts.log.error(
        {
          ...fields,
          reason: f.reason,
          topic: f.topic,
          partition: f.partition,
          offset: f.offset,
          err: f.message,
        },
        `${opts.name} stopped for good; exiting so the supervisor restarts it`,
      );
      opts.onFatal?.(f);
    });
  }

  /** What the consumer's dependency answered last: a message while it fails, undefined once it works. */
  set failing(detail: string | undefined) {
    this.failure = detail;
  }

  get failing(): string | undefined {
    return this.failure;
  }

  health(): { ok: boolean; detail?: string } {
    if (this.crashed) return { ok: false, detail: `consumer stopped: ${this.crashed}` };
    if (this.failure) return { ok: false, detail: this.failure };
    if (!this.joined) return { ok: false, detail: 'not in the consumer group yet' };
    return { ok: true };
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
