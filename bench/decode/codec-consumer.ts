/**
 * The plain kafkajs consumer of bench/harness/plain-consumer.ts (counts, eachBatch, its own
 * process, timed from the group join), also reporting the CPU it spent between the join and the
 * last record, which is where decompression shows (process start-up is left out).
 * argv: brokers topic groupId expected. Prints one JSON line:
 * { count, seconds, cpuSeconds (join to done), processCpuSeconds, peakRssMb }.
 */
import { createKafka } from '@streammetrics/kafka';

async function main(): Promise<void> {
  const [brokers, topic, groupId, expectedText] = process.argv.slice(2) as [string, string, string, string];
  const expected = Number(expectedText);
  const consumer = createKafka({ brokers: brokers.split(','), clientId: 'bench-decode-consumer' }).consumer({
    groupId,
    readUncommitted: false,
    maxBytes: 64 * 1024 * 1024,
    maxBytesPerPartition: 8 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let firstAt = 0n;
  let cpuAtJoin: NodeJS.CpuUsage | undefined;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (firstAt === 0n) {
      firstAt = process.hrtime.bigint();
      cpuAtJoin = process.cpuUsage();
    }
  });
  let doneAt = 0n;
  let cpu: NodeJS.CpuUsage | undefined;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        count += batch.messages.length;
        if (count >= expected && doneAt === 0n) {
          doneAt = process.hrtime.bigint();
          cpu = process.cpuUsage(cpuAtJoin);
          resolve();
        }
      },
    });
  });
  const total = process.cpuUsage();
  const out = {
    count,
    seconds: Number(doneAt - firstAt) / 1e9,
    cpuSeconds: ((cpu?.user ?? 0) + (cpu?.system ?? 0)) / 1e6,
    processCpuSeconds: (total.user + total.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  await consumer.disconnect();
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
