import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { AlertRuleSpec, ErrorProblem } from '@streammetrics/contracts/api';
import { checkRuleSpec } from './alert-rule.schema';

export class RulesFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: ErrorProblem[],
  ) {
    super(
      `alert rules file ${path} has ${problems.length} problem(s):\n` +
        problems.map((p) => `  rule ${p.index ?? '-'} ${p.field}: ${p.message}`).join('\n'),
    );
    this.name = 'RulesFileError';
  }
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** A rule's id in the file: its own `id`, or its name made into one. */
function idOf(raw: Record<string, unknown>, name: string): string {
  if (typeof raw.id === 'string') return raw.id;
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/**
 * Reads the rules file (YAML or JSON: `rules: [ {id?, name, service, …}, … ]`), checking every rule;
 * a file with any problem is refused whole, listing every problem, so a typo never half-applies.
 */
export function readRulesFile(path: string): { id: string; spec: AlertRuleSpec }[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RulesFileError(path, [{ field: '', message: (err as Error).message }]);
  }
  const list = (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list))
    throw new RulesFileError(path, [{ field: '/rules', message: 'must be a list of rules' }]);
  const problems: ErrorProblem[] = [];
  const out: { id: string; spec: AlertRuleSpec }[] = [];
  const seen = new Set<string>();
  list.forEach((raw: unknown, index) => {
    const { id: _id, ...rest } = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<
      string,
      unknown
    >;
    const check = checkRuleSpec(typeof raw === 'object' && raw !== null ? rest : raw, index);
    if (!check.ok) {
      problems.push(...check.problems);
      return;
    }
    const id = idOf(raw as Record<string, unknown>, check.spec.name);
    if (!ID.test(id)) problems.push({ index, field: '/id', message: 'must match [a-z0-9][a-z0-9._-]{0,63}' });
    else if (seen.has(id)) problems.push({ index, field: '/id', message: `duplicate id ${id}` });
    seen.add(id);
    out.push({ id, spec: check.spec });
  });
  if (problems.length > 0) throw new RulesFileError(path, problems);
  return out;
}
