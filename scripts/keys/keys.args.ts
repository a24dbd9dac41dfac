import type { ApiKeyRecord } from '@streammetrics/auth';

export type KeysCommand =
  | {
      command: 'create';
      name: string;
      client: string;
      scopes: string;
      rate?: number;
      services?: string[];
      expires?: Date;
    }
  | { command: 'list'; all: boolean }
  | { command: 'revoke'; target: string }
  | { command: 'rotate'; target: string; graceSeconds: number };

const USAGE =
  'usage: npm run keys -- create --name <name> --client <client-id> --scopes ingest,read,admin [--rate <events/s>]\n' +
  '                              [--services a,b] [--expires <ISO time>]\n' +
  '       npm run keys -- list [--all]\n' +
  '       npm run keys -- revoke <id|prefix>\n' +
  '       npm run keys -- rotate <id|prefix> [--grace <seconds>]';

function flags(args: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"\n${USAGE}`);
    const [name = '', inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) out.set(name, inline);
    else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) out.set(name, args[++i]!);
    else out.set(name, true);
  }
  return out;
}

function required(f: Map<string, string | true>, name: string): string {
  const v = f.get(name);
  if (typeof v !== 'string' || v.trim() === '') throw new Error(`--${name} <value> is required\n${USAGE}`);
  return v.trim();
}

function optionalList(f: Map<string, string | true>, name: string): string[] | undefined {
  if (!f.has(name)) return undefined;
  const list = required(f, name)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new Error(`--${name} needs a comma-separated list`);
  return list;
}

function optionalTime(f: Map<string, string | true>, name: string): Date | undefined {
  if (!f.has(name)) return undefined;
  const d = new Date(required(f, name));
  if (Number.isNaN(d.getTime())) throw new Error(`--${name} must be an ISO-8601 time`);
  return d;
}

export function parseKeysArgs(argv: string[]): KeysCommand {
  const [command, ...rest] = argv;
  switch (command) {
    case 'create': {
      const f = flags(rest);
      const rate = f.get('rate');
      if (rate !== undefined && (typeof rate !== 'string' || !/^[1-9]\d{0,9}$/.test(rate))) {
        throw new Error('--rate must be a positive integer (events per second)');
      }
      return {
        command,
        name: required(f, 'name'),
        client: required(f, 'client'),
        scopes: required(f, 'scopes'),
        rate: rate === undefined ? undefined : Number(rate),
        services: optionalList(f, 'services'),
        expires: optionalTime(f, 'expires'),
      };
    }
    case 'rotate': {
      const [target, ...more] = rest;
      if (!target || target.startsWith('--')) throw new Error(USAGE);
      const grace = flags(more).get('grace') ?? '0';
      if (typeof grace !== 'string' || !/^\d{1,7}$/.test(grace)) throw new Error('--grace must be seconds');
      return { command, target, graceSeconds: Number(grace) };
    }
    case 'list':
      return { command, all: flags(rest).has('all') };
    case 'revoke':
      if (rest.length !== 1) throw new Error(USAGE);
      return { command, target: rest[0]! };
    default:
      throw new Error(USAGE);
  }
}

export function renderKeyTable(keys: ApiKeyRecord[]): string {
  const rows = keys.map((k) => [
    k.id,
    k.keyPrefix,
    k.name,
    k.clientId,
    k.scopes.join(','),
    k.ratePerSecond === null ? 'default' : String(k.ratePerSecond),
    k.services?.join(',') ?? 'all',
    k.createdAt.toISOString(),
    k.revokedAt
      ? `revoked ${k.revokedAt.toISOString()}`
      : k.expiresAt
        ? `expires ${k.expiresAt.toISOString()}`
        : 'active',
  ]);
  const header = ['id', 'prefix', 'name', 'client', 'scopes', 'rate/s', 'services', 'created', 'state'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd() + '\n';
  return line(header) + rows.map(line).join('');
}
