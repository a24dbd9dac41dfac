import { Injectable } from '@nestjs/common';
import type { AlertRule } from '@streammetrics/contracts/api';
import { ApiError } from '@streammetrics/query';
import { checkRuleSpec } from '../alert-rule.schema';
import { AlertRulesRepository } from '../alert-rules.repository';

/** The rules' REST side: every write is checked with the one rule schema the evaluator trusts. */
@Injectable()
export class AlertRulesService {
  constructor(private readonly rules: AlertRulesRepository) {}

  async list(): Promise<{ rules: AlertRule[] }> {
    return { rules: await this.rules.list() };
  }

  async get(id: string): Promise<AlertRule> {
    return found(await this.rules.get(id), id);
  }

  async create(body: unknown): Promise<AlertRule> {
    return this.rules.create(checked(body));
  }

  /** A rule from the rules file may be replaced too: it becomes an 'api' rule. */
  async update(id: string, body: unknown): Promise<AlertRule> {
    return found(await this.rules.update(id, checked(body)), id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.rules.delete(id))) throw ApiError.notFound(`no alert rule "${id}"`);
  }
}

function checked(body: unknown) {
  const r = checkRuleSpec(body);
  if (r.ok) return r.spec;
  const n = r.problems.length;
  throw new ApiError(400, 'VALIDATION_FAILED', `the rule has ${n} problem${n === 1 ? '' : 's'}`, r.problems);
}

function found(rule: AlertRule | undefined, id: string): AlertRule {
  if (!rule) throw ApiError.notFound(`no alert rule "${id}"`);
  return rule;
}
