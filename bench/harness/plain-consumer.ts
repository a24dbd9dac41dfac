/**
 * The kafkajs ceiling: a consumer that does nothing but count (eachBatch), run as its own process
 * so its CPU and memory are measured like the others'. argv: brokers topic groupId expected.
 * Prints one JSON line: { count, firstAt (group joined), doneAt, cpuSeconds, cpuSecondsSinceJoin,
 * peakRssMb }. cpuSeconds is the whole process's; cpuSecondsSinceJoin leaves start-up out, which is
 * where the cost of decompressing batches shows (bench/decode).
 */
import { createKafka } from '@streammetrics/kafka';

async function main(): Promise<void> {
  const [brokers, topic, groupId, expectedText] = process.argv.slice(2) as [string, string, string, string];
  const expected = Number(expectedText);
  const consumer = createKafka({ brokers: brokers.split(','), clientId: 'bench-plain-consumer' }).consumer({
    groupId,
    readUncommitted: false,
    maxBytes: 64 * 1024 * 1024,
    maxBytesPerPartition: 8 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  // Timed from the group join (like ConsumerPerformance's fetch time): the first fetch is part of
  // the work; timing from the first batch would miss it and overstate small topics enormously.
  let firstAt = 0;
  let cpuAtJoin: NodeJS.CpuUsage | undefined;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (firstAt === 0) {
      firstAt = Date.now();
      cpuAtJoin = process.cpuUsage();
    }
  });
  let doneAt = 0;
  let sinceJoin: NodeJS.CpuUsage | undefined;
  const finished = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        count += batch.messages.length;
        if (count >= expected && doneAt === 0) {
          doneAt = Date.now();
          sinceJoin = process.cpuUsage(cpuAtJoin);
          resolve();
        }
      },
    });
  });
  await finished;
  const cpu = process.cpuUsage();
  const out = {
    count,
    firstAt,
    doneAt,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    cpuSecondsSinceJoin: ((sinceJoin?.user ?? 0) + (sinceJoin?.system ?? 0)) / 1e6,
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
