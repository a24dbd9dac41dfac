import type { AggregateRecord } from '@streammetrics/contracts';
import type { CompiledRule } from './compiled.rule';
import { selects } from './series.labels';

const ANY = '\u0000*';

/**
 * The rules by (topic, service, metric), so a window result is checked against the few rules that
 * can select it, not all of them: 10,000 rules cost four map lookups per record.
 */
export class RuleIndex {
  private readonly byTopic = new Map<string, Map<string, Map<string, CompiledRule[]>>>();
  readonly rules: ReadonlyMap<string, CompiledRule>;

  constructor(rules: readonly CompiledRule[]) {
    this.rules = new Map(rules.map((r) => [r.id, r]));
    for (const r of rules) {
      const services = this.byTopic.get(r.topic) ?? new Map<string, Map<string, CompiledRule[]>>();
      this.byTopic.set(r.topic, services);
      const metrics = services.get(r.service ?? ANY) ?? new Map<string, CompiledRule[]>();
      services.set(r.service ?? ANY, metrics);
      const list = metrics.get(r.metric ?? ANY) ?? [];
      metrics.set(r.metric ?? ANY, list);
      list.push(r);
    }
  }

  /** The rules on `topic` (unprefixed) that select the record's series. */
  matching(topic: string, r: AggregateRecord): CompiledRule[] {
    const services = this.byTopic.get(topic);
    if (!services) return [];
    const out: CompiledRule[] = [];
    for (const s of [r.serviceId, ANY]) {
      const metrics = services.get(s);
      if (!metrics) continue;
      for (const m of [r.metricName, ANY]) {
        for (const rule of metrics.get(m) ?? []) if (selects(rule, r)) out.push(rule);
      }
    }
    return out;
  }

  /** The rules with a no-data setting on `topic`. */
  withNoData(topic: string): CompiledRule[] {
    return [...this.rules.values()].filter((r) => r.topic === topic && r.noData);
  }
}
