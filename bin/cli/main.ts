/**
 * `npx avtrz <group> <command> [flags]` — the operator CLI (spec section 10).
 * Exit codes: 0 ok, 1 the API (or the network) said no, 2 the command line is wrong.
 */
import { parseArgs } from 'node:util';
import type { UsageResponse } from '../../lambdas/core/usage';
import { renderUsageChart } from './chart';
import { AdminClient, ApiError } from './client';

const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';

export class UsageError extends Error {}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

const COMMON_HELP = `Common flags:
  --endpoint URL   API base URL (default $AVTRZ_ENDPOINT, else ${DEFAULT_ENDPOINT})
  --region REGION  sign requests with SigV4 (deployed stack; default AWS credential chain)
                   without it, $AVTRZ_ADMIN_TOKEN is sent as a bearer token (local stack)
  --json           print the API's JSON answer (for scripts)
  --help           this help`;

const HELP = `Usage: avtrz <group> <command> [flags]

  workspaces create  --name NAME --quota N
  workspaces get     --workspace ws_…
  workspaces update  --workspace ws_… [--name NAME] [--quota N] [--shards 1..64]
  keys create        --workspace ws_… --type publishable|secret --name NAME [--domain D]…
  keys list          --workspace ws_…
  keys update        --workspace ws_… --key key_… [--name NAME] [--domain D]…  (replaces the list)
  keys revoke        --workspace ws_… --key key_…
  keys roll          --workspace ws_… --key key_… [--overlap 86400|30m|24h|0]
  usage              --workspace ws_… [--month YYYY-MM] [--hours 24]

${COMMON_HELP}
`;

const OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  quota: { type: 'string' },
  shards: { type: 'string' },
  workspace: { type: 'string' },
  type: { type: 'string' },
  domain: { type: 'string', multiple: true },
  key: { type: 'string' },
  overlap: { type: 'string' },
  month: { type: 'string' },
  hours: { type: 'string' },
} as const;

type Flags = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPTIONS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

/** `--overlap`: seconds (`3600`), or a number with s/m/h/d (`30m`, `24h`). */
export function parseDuration(raw: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!m) throw new UsageError(`--overlap must be seconds or a duration like 30m, 24h (got "${raw}")`);
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  const n = Number(m[1]) * mult;
  if (!Number.isSafeInteger(n)) throw new UsageError('--overlap is too large');
  return n;
}

function parseQuota(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`--quota must be a whole number (got "${raw}")`);
  return Number(raw);
}

function need(flags: Flags, name: 'name' | 'quota' | 'workspace' | 'type' | 'key'): string {
  const v = flags[name];
  if (v === undefined || v === '') throw new UsageError(`missing --${name}`);
  return v;
}

function seg(id: string): string {
  return encodeURIComponent(id);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return `${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n')}\n`;
}

// biome-ignore lint/suspicious/noExplicitAny: API answers
type Json = any;

function fields(title: string, obj: Json, keys: string[]): string {
  const w = Math.max(...keys.map((k) => k.length));
  const lines = [title];
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    const s = Array.isArray(v) ? (v.length ? v.join(', ') : '(none)') : v === null ? '-' : String(v);
    lines.push(`  ${k.padEnd(w)}  ${s}`);
  }
  return `${lines.join('\n')}\n`;
}

const WS_FIELDS = ['id', 'name', 'monthly_quota', 'shards', 'created_at', 'updated_at'];
const KEY_FIELDS = [
  'id',
  'type',
  'name',
  'last4',
  'status',
  'allowed_domains',
  'created_at',
  'last_used_at',
  'exposed_at',
  'expires_at',
  'revoked_at',
];

/** After a quota change: when every avatar request sees it (the API says; app/workspaces.ts why). */
export function quotaDelay(ws: Json): string {
  const s = ws.monthly_quota_applies_within_seconds;
  if (typeof s !== 'number') return '';
  if (s <= 0) return 'The new quota applies to avatar requests at once (no key cache).\n';
  return (
    `The new quota applies to every avatar request within ${s} s (by ${ws.monthly_quota_applies_by}): ` +
    'until then, requests served from the key cache (AVTRZ_KEY_CACHE_SECONDS) still use the previous quota.\n'
  );
}

function showCreatedKey(k: Json): string {
  return (
    fields(`key ${k.id}`, k, KEY_FIELDS) +
    `\n  ${k.key}\n\nStore this key now: it is shown only once.` +
    `${k.type === 'secret' ? ' Send it in the x-api-key header only.' : ''}\n`
  );
}

function keyRows(keys: Json[]): string {
  if (keys.length === 0) return 'no keys\n';
  const rows = [['ID', 'TYPE', 'NAME', 'LAST4', 'STATUS', 'LAST USED', 'EXPIRES', 'DOMAINS']];
  for (const k of keys) {
    rows.push([
      k.id,
      k.type,
      k.name,
      k.last4,
      k.exposed_at && k.status === 'active' ? `${k.status} (EXPOSED: roll it)` : k.status,
      k.last_used_at ?? '-',
      k.revoked_at ? '-' : (k.expires_at ?? '-'),
      (k.allowed_domains ?? []).join(',') || '-',
    ]);
  }
  return table(rows);
}

export async function run(argv: string[], io: Io): Promise<number> {
  let flags: Flags;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    flags = parsed.values as Flags;
    positionals = parsed.positionals;
  } catch (e) {
    io.err(`avtrz: ${(e as Error).message}\nRun "avtrz --help" for usage.\n`);
    return 2;
  }
  const [group, command, ...extra] = positionals;
  if (flags.help || !group) {
    (flags.help ? io.out : io.err)(HELP);
    return flags.help ? 0 : 2;
  }
  try {
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const endpoint = flags.endpoint || io.env.AVTRZ_ENDPOINT || DEFAULT_ENDPOINT;
    const client = new AdminClient({
      endpoint,
      region: flags.region,
      adminToken: io.env.AVTRZ_ADMIN_TOKEN || undefined,
    });
    const out = (human: string, body: Json) =>
      io.out(flags.json ? `${JSON.stringify(body, null, 2)}\n` : human);
    const ws = () => `/v1/admin/workspaces/${seg(need(flags, 'workspace'))}`;
    const key = () => `${ws()}/keys/${seg(need(flags, 'key'))}`;

    switch (`${group} ${command ?? ''}`.trim()) {
      case 'workspaces create': {
        const body = { name: need(flags, 'name'), monthly_quota: parseQuota(need(flags, 'quota')) };
        const r = await client.request('POST', '/v1/admin/workspaces', body);
        out(fields(`workspace ${r.body.id}`, r.body, WS_FIELDS), r.body);
        return 0;
      }
      case 'workspaces get': {
        const r = await client.request('GET', ws());
        out(fields(`workspace ${r.body.id}`, r.body, WS_FIELDS), r.body);
        return 0;
      }
      case 'workspaces update': {
        const path = ws();
        const body: Json = {};
        if (flags.name !== undefined) body.name = flags.name;
        if (flags.quota !== undefined) body.monthly_quota = parseQuota(flags.quota);
        // budget shards (docs/scaling.md); the API checks the range (1..64)
        if (flags.shards !== undefined) {
          if (!/^\d+$/.test(flags.shards))
            throw new UsageError(`--shards must be a whole number (got "${flags.shards}")`);
          body.shards = Number(flags.shards);
        }
        if (!Object.keys(body).length)
          throw new UsageError('nothing to update: pass --name, --quota and/or --shards');
        const r = await client.request('PATCH', path, body);
        out(fields(`workspace ${r.body.id}`, r.body, WS_FIELDS) + quotaDelay(r.body), r.body);
        return 0;
      }
      case 'keys create': {
        const path = `${ws()}/keys`;
        const type = need(flags, 'type');
        if (type !== 'publishable' && type !== 'secret') {
          throw new UsageError('--type must be publishable or secret');
        }
        const body = { type, name: need(flags, 'name'), allowed_domains: flags.domain ?? [] };
        const r = await client.request('POST', path, body);
        out(showCreatedKey(r.body), r.body);
        return 0;
      }
      case 'keys list': {
        const r = await client.request('GET', `${ws()}/keys`);
        out(keyRows(r.body.keys), r.body);
        return 0;
      }
      case 'keys update': {
        const path = key();
        const body: Json = {};
        if (flags.name !== undefined) body.name = flags.name;
        if (flags.domain !== undefined) body.allowed_domains = flags.domain;
        if (!Object.keys(body).length) throw new UsageError('nothing to update: pass --name and/or --domain');
        const r = await client.request('PATCH', path, body);
        out(fields(`key ${r.body.id}`, r.body, KEY_FIELDS), r.body);
        return 0;
      }
      case 'keys revoke': {
        const r = await client.request('DELETE', key());
        out(fields(`key ${r.body.id} revoked`, r.body, KEY_FIELDS), r.body);
        return 0;
      }
      case 'keys roll': {
        const path = key();
        const body = flags.overlap === undefined ? {} : { overlap_seconds: parseDuration(flags.overlap) };
        const r = await client.request('POST', `${path}/roll`, body);
        const prev = r.body.previous;
        const when =
          prev.status === 'revoked'
            ? `The previous key ${prev.id} is revoked now.`
            : `The previous key ${prev.id} keeps working until ${prev.expires_at}.`;
        out(`${showCreatedKey(r.body)}${when}\n`, r.body);
        return 0;
      }
      case 'usage': {
        const path = `${ws()}/usage`;
        if (flags.month !== undefined && !/^\d{4}-\d{2}$/.test(flags.month)) {
          throw new UsageError('--month must be YYYY-MM');
        }
        let hours: number | undefined;
        if (flags.hours !== undefined) {
          if (!/^\d+$/.test(flags.hours) || Number(flags.hours) < 1) {
            throw new UsageError('--hours must be a whole number ≥ 1');
          }
          hours = Number(flags.hours);
        }
        const r = await client.request('GET', path, undefined, { month: flags.month });
        out(renderUsageChart(r.body as UsageResponse, { hours }), r.body);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${[group, command].filter(Boolean).join(' ')}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`avtrz: ${e.message}\nRun "avtrz --help" for usage.\n`);
      return 2;
    }
    if (e instanceof ApiError) {
      const param = e.param ? ` (param: ${e.param})` : '';
      const rid = e.requestId ? ` [request ${e.requestId}]` : '';
      let hint = '';
      if ((e.status === 401 || e.status === 403) && !flags.region && !io.env.AVTRZ_ADMIN_TOKEN) {
        hint = '\nhint: set AVTRZ_ADMIN_TOKEN (local stack) or pass --region (deployed stack, SigV4).';
      }
      io.err(`avtrz: ${e.status} ${e.code}: ${e.message}${param}${rid}${hint}\n`);
      return 1;
    }
    // a NetworkError, or (with --region) a credential-chain failure: its message says it all
    io.err(`avtrz: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

export function main(argv: string[]): Promise<number> {
  return run(argv, {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
  });
}
