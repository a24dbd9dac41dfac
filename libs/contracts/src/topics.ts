import { WINDOW_SPECS } from './windows';

export const EVENTS_TOPIC = 'metrics-events';
export const DEAD_LETTER_TOPIC = 'metrics-dead-letter';
export const PROCESSOR_GROUP = 'streammetrics-processors';
export const CHANGELOG_TOPIC = `${PROCESSOR_GROUP}-window-store-changelog`;

const DAY_MS = 86_400_000;

export interface TopicSpec {
  topic: string;
  partitions: number;
  config: Record<string, string>;
}

/**
 * The design's topic table. Partition counts are for the local single broker; k8s may raise them.
 * `prefix` namespaces every topic (tests and benchmarks isolate themselves with a random prefix).
 */
export function topicSpecs(prefix = ''): TopicSpec[] {
  return baseTopicSpecs().map((t) => ({ ...t, topic: `${prefix}${t.topic}` }));
}

function baseTopicSpecs(): TopicSpec[] {
  return [
    {
      topic: EVENTS_TOPIC,
      partitions: 6,
      config: { 'cleanup.policy': 'delete', 'retention.ms': `${7 * DAY_MS}` },
    },
    ...WINDOW_SPECS.map((w) => ({
      topic: w.topic,
      partitions: 3,
      config: {
        'cleanup.policy': 'delete',
        // Windows of 5 minutes and longer are kept a month, the short ones a week.
        'retention.ms': `${(w.type === 'tumbling' && w.sizeMs >= 300_000 ? 30 : 7) * DAY_MS}`,
      },
    })),
    {
      topic: DEAD_LETTER_TOPIC,
      partitions: 3,
      config: { 'cleanup.policy': 'delete', 'retention.ms': `${14 * DAY_MS}` },
    },
    // Same partition count as the input: partition p of the changelog holds the state of input partition p.
    { topic: CHANGELOG_TOPIC, partitions: 6, config: { 'cleanup.policy': 'compact' } },
  ];
}
