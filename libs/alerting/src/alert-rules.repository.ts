import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransaction, returnedRow } from '@streammetrics/storage';
import type { AlertRule, AlertRuleSpec } from '@streammetrics/contracts/api';

interface RuleRow {
  id: string;
  spec: AlertRuleSpec;
  source: 'api' | 'file';
  created_at: Date;
  updated_at: Date;
}

function toRule(r: RuleRow): AlertRule {
  return {
    ...r.spec,
    id: r.id,
    source: r.source,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** A stamp that changes whenever a rule is added, changed or removed (the evaluator polls it). */
export interface RulesVersion {
  count: number;
  updatedAt: string | null;
}

/** The alert rules in PostgreSQL: written by the REST API and the rules file, read by the evaluator. */
export class AlertRulesRepository {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<AlertRule[]> {
    const r = await this.pool.query<RuleRow>('SELECT * FROM alert_rules ORDER BY name, id');
    return r.rows.map(toRule);
  }

  async get(id: string): Promise<AlertRule | undefined> {
    const r = await this.pool.query<RuleRow>('SELECT * FROM alert_rules WHERE id = $1', [id]);
    return r.rows[0] && toRule(r.rows[0]);
  }

  async create(spec: AlertRuleSpec, id = `rule_${randomBytes(6).toString('hex')}`): Promise<AlertRule> {
    const r = await this.pool.query<RuleRow>(
      `INSERT INTO alert_rules (id, name, spec, source) VALUES ($1, $2, $3, 'api') RETURNING *`,
      [id, spec.name, spec],
    );
    return toRule(returnedRow(r.rows, 'alert rule upsert'));
  }

  /** Replaces a rule's spec; undefined when there is no such rule. Its alerts keep their state. */
  async update(id: string, spec: AlertRuleSpec): Promise<AlertRule | undefined> {
    const r = await this.pool.query<RuleRow>(
      `UPDATE alert_rules SET name = $2, spec = $3, source = 'api', updated_at = clock_timestamp()
        WHERE id = $1 RETURNING *`,
      [id, spec.name, spec],
    );
    return r.rows[0] && toRule(r.rows[0]);
  }

  /** Removes a rule and its alert states (history stays); false when there was none. */
  async delete(id: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM alert_rules WHERE id = $1', [id]);
    return (r.rowCount ?? 0) > 0;
  }

  /**
   * Makes the file's rules the 'file' rules: each upserted by id (unchanged ones keep their
   * timestamps, so their alerts keep running undisturbed), file rules no longer in it removed.
   */
  async syncFileRules(rules: { id: string; spec: AlertRuleSpec }[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      for (const { id, spec } of rules) {
        await client.query(
          `INSERT INTO alert_rules (id, name, spec, source) VALUES ($1, $2, $3, 'file')
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, spec = EXCLUDED.spec, source = 'file',
             updated_at = clock_timestamp()
           WHERE alert_rules.spec IS DISTINCT FROM EXCLUDED.spec OR alert_rules.source <> 'file'`,
          [id, spec.name, spec],
        );
      }
      await client.query(`DELETE FROM alert_rules WHERE source = 'file' AND NOT (id = ANY($1::text[]))`, [
        rules.map((r) => r.id),
      ]);
    });
  }

  async version(): Promise<RulesVersion> {
    const r = await this.pool.query<{ count: string; updated_at: Date | null }>(
      'SELECT count(*) AS count, max(updated_at) AS updated_at FROM alert_rules',
    );
    const row = r.rows[0];
    return { count: Number(row?.count ?? 0), updatedAt: row?.updated_at?.toISOString() ?? null };
  }
}
