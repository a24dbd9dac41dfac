import { createHash } from 'node:crypto';
import { tagsKey, type AggregateRecord } from '@streammetrics/contracts';
import type { CompiledRule } from './compiled.rule';
import { renderTemplate, type TemplateVars } from './alert.templates';

/** Separates the parts of a series key: a character no name holds and PostgreSQL text can (NUL cannot). */
export const SERIES_SEPARATOR = '\u001f';

/** The series a window result belongs to: (service, metric, canonical tag set). */
export function seriesKey(r: Pick<AggregateRecord, 'serviceId' | 'metricName' | 'tags'>): string {
  return [r.serviceId, r.metricName, tagsKey(r.tags)].join(SERIES_SEPARATOR);
}

/**
 * Whether a rule selects a series. An absent service or metric matches every one. A rule without
 * tags watches the service-level series (no tags); a rule with tags watches every series that
 * carries each of them, where a selected value "" matches any value (the rule fans out per value).
 */
export function selects(
  rule: CompiledRule,
  r: Pick<AggregateRecord, 'serviceId' | 'metricName' | 'tags'>,
): boolean {
  if (rule.service !== undefined && rule.service !== r.serviceId) return false;
  if (rule.metric !== undefined && rule.metric !== r.metricName) return false;
  const keys = Object.keys(rule.tags);
  if (keys.length === 0) return Object.keys(r.tags).length === 0;
  return keys.every((k) => {
    const v = r.tags[k];
    return v !== undefined && (rule.tags[k] === '' || rule.tags[k] === v);
  });
}

export function templateVars(
  rule: CompiledRule,
  r: Pick<AggregateRecord, 'serviceId' | 'metricName' | 'tags'>,
  value: number | null,
): TemplateVars {
  return {
    service: r.serviceId,
    metric: r.metricName,
    window: rule.window,
    stat: rule.statName,
    threshold: String(rule.threshold),
    value: value === null ? 'no data' : String(Math.round(value * 1000) / 1000),
    tags: r.tags,
  };
}

/** The labels of the alert of (rule, series): identity first, then the series' tags, then the rule's own. */
export function alertLabels(
  rule: CompiledRule,
  r: Pick<AggregateRecord, 'serviceId' | 'metricName' | 'tags'>,
): Record<string, string> {
  const vars = templateVars(rule, r, null);
  const own = Object.fromEntries(Object.entries(rule.labels).map(([k, v]) => [k, renderTemplate(v, vars)]));
  return {
    ...r.tags,
    ...own,
    alertname: rule.name,
    service: r.serviceId,
    metric: r.metricName,
    window: rule.window,
    stat: rule.statName,
  };
}

export function alertAnnotations(rule: CompiledRule, vars: TemplateVars): Record<string, string> {
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, renderTemplate(v, vars)]));
}

/** A stable id of one alert: its rule and its labels in a fixed order. */
export function fingerprint(ruleId: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256')
    .update(JSON.stringify([ruleId, sorted]))
    .digest('hex')
    .slice(0, 16);
}
