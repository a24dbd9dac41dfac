import type { ApiKeyRecord } from '@streammetrics/auth';

export type KeysCommand =
  | { command: 'create'; name: string; client: string; scopes: string; rate?: number }
  | { command: 'list'; all: boolean }
  | { command: 'revoke'; target: string };

const USAGE =
  'usage: npm run keys -- create --name <name> --client <client-id> --scopes ingest,read,admin [--rate <events/s>]\n' +
  '       npm run keys -- list [--all]\n' +
  '       npm run keys -- revoke <id|prefix>';

function flags(args: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"\n${USAGE}`);
    const [name, inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) out.set(name, inline);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) out.set(name, args[++i]);
    else out.set(name, true);
  }
  return out;
}

function required(f: Map<string, string | true>, name: string): string {
  const v = f.get(name);
  if (typeof v !== 'string' || v.trim() === '') throw new Error(`--${name} <value> is required\n${USAGE}`);
  return v.trim();
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
      };
    }
    case 'list':
      return { command, all: flags(rest).has('all') };
    case 'revoke':
      if (rest.length !== 1) throw new Error(USAGE);
      return { command, target: rest[0] };
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
    k.createdAt.toISOString(),
    k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active',
  ]);
  const header = ['id', 'prefix', 'name', 'client', 'scopes', 'rate/s', 'created', 'state'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd() + '\n';
  return line(header) + rows.map(line).join('');
}
