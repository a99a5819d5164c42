/**
 * The management-API commands (spec section 10): workspaces, keys, usage. Each is one
 * `defineCommand` declaration; `main.ts` lists them.
 */
import type { UsageResponse } from '../../lambdas/core/usage';
import { renderUsageChart } from './chart';
import { type Command, type Context, defineCommand, type FlagSpec, UsageError } from './registry';

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

function workspaceRows(list: Json[]): string {
  if (list.length === 0) return 'no workspaces\n';
  const rows = [['ID', 'NAME', 'QUOTA', 'CREATED']];
  for (const w of list) rows.push([w.id, w.name, String(w.monthly_quota), w.created_at ?? '-']);
  return table(rows);
}

// ---- flags shared by several commands (declared once here) ----
const WORKSPACE: FlagSpec = {
  name: 'workspace',
  type: 'string',
  value: 'ws_…',
  required: true,
  idPrefix: 'ws_',
  help: 'the workspace id',
};
const KEY: FlagSpec = {
  name: 'key',
  type: 'string',
  value: 'key_…',
  required: true,
  idPrefix: 'key_',
  help: 'the key id (from "keys list"), not the key itself',
};
const NAME = (required: boolean, what: string): FlagSpec => ({
  name: 'name',
  type: 'string',
  value: 'NAME',
  required,
  help: what,
});
const QUOTA = (required: boolean): FlagSpec => ({
  name: 'quota',
  type: 'string',
  value: 'N',
  required,
  help: 'monthly request quota (a whole number)',
});

const wsPath = (ctx: Context) => `/v1/admin/workspaces/${seg(ctx.str('workspace') as string)}`;
const keyPath = (ctx: Context) => `${wsPath(ctx)}/keys/${seg(ctx.str('key') as string)}`;

/** Bound on `workspaces list` paging: a server that keeps answering a cursor cannot loop us. */
export const MAX_PAGES = 1000;

export const ADMIN_COMMANDS: Command[] = [
  defineCommand({
    name: 'workspaces list',
    summary: 'list every workspace, newest first (follows all pages)',
    flags: [
      {
        name: 'page-size',
        type: 'string',
        value: 'N',
        help: "workspaces per request, 1–100 (default: the API's); every page is fetched either way",
      },
    ],
    examples: ['workspaces list', 'workspaces list --json'],
    async run(ctx) {
      const limit = ctx.str('page-size');
      if (limit !== undefined && !(/^\d{1,3}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 100)) {
        throw new UsageError('--page-size must be a whole number from 1 to 100');
      }
      const all: Json[] = [];
      const seen = new Set<string>();
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await ctx.client().request('GET', '/v1/admin/workspaces', undefined, { limit, cursor });
        if (!Array.isArray(r.body?.workspaces)) {
          throw new Error('the answer has no "workspaces" list');
        }
        all.push(...r.body.workspaces);
        const next = r.body.next_cursor;
        if (typeof next !== 'string' || next === '') {
          ctx.print(workspaceRows(all), { workspaces: all });
          return 0;
        }
        if (seen.has(next)) throw new Error(`the API repeated the cursor ${JSON.stringify(next)}`);
        seen.add(next);
        cursor = next;
      }
      throw new Error(`more than ${MAX_PAGES} pages of workspaces: stopped`);
    },
  }),
  defineCommand({
    name: 'workspaces create',
    summary: 'create a workspace with a monthly quota',
    flags: [NAME(true, 'the workspace name'), QUOTA(true)],
    examples: ['workspaces create --name Acme --quota 10000'],
    async run(ctx) {
      const body = { name: ctx.str('name'), monthly_quota: parseQuota(ctx.str('quota') as string) };
      const r = await ctx.client().request('POST', '/v1/admin/workspaces', body);
      ctx.print(fields(`workspace ${r.body.id}`, r.body, WS_FIELDS), r.body);
      return 0;
    },
  }),
  defineCommand({
    name: 'workspaces get',
    summary: 'show one workspace',
    flags: [WORKSPACE],
    examples: ['workspaces get --workspace ws_…'],
    async run(ctx) {
      const r = await ctx.client().request('GET', wsPath(ctx));
      ctx.print(fields(`workspace ${r.body.id}`, r.body, WS_FIELDS), r.body);
      return 0;
    },
  }),
  defineCommand({
    name: 'workspaces update',
    summary: 'rename a workspace, change its quota or its budget shards',
    description:
      'A new quota reaches every avatar request within the key-cache TTL; the answer says when. ' +
      '--shards spreads the counter over N items for more than ~1,000 requests/s (docs/scaling.md).',
    flags: [
      WORKSPACE,
      NAME(false, 'the new name'),
      QUOTA(false),
      { name: 'shards', type: 'string', value: 'N', help: 'budget shards, 1..64 (docs/scaling.md)' },
    ],
    examples: [
      'workspaces update --workspace ws_… --quota 20000',
      'workspaces update --workspace ws_… --shards 4',
    ],
    async run(ctx) {
      const body: Json = {};
      const name = ctx.str('name');
      const quota = ctx.str('quota');
      if (name !== undefined) body.name = name;
      if (quota !== undefined) body.monthly_quota = parseQuota(quota);
      const shards = ctx.str('shards');
      // the API checks the range (1..64)
      if (shards !== undefined) {
        if (!/^\d+$/.test(shards)) throw new UsageError(`--shards must be a whole number (got "${shards}")`);
        body.shards = Number(shards);
      }
      if (!Object.keys(body).length)
        throw new UsageError('nothing to update: pass --name, --quota and/or --shards');
      const r = await ctx.client().request('PATCH', wsPath(ctx), body);
      ctx.print(fields(`workspace ${r.body.id}`, r.body, WS_FIELDS) + quotaDelay(r.body), r.body);
      return 0;
    },
  }),
  defineCommand({
    name: 'keys create',
    summary: 'create a publishable or secret key (shown once)',
    flags: [
      WORKSPACE,
      { name: 'type', type: 'string', value: 'publishable|secret', required: true, help: 'the key type' },
      NAME(true, 'a name for the key'),
      {
        name: 'domain',
        type: 'string',
        value: 'DOMAIN',
        repeatable: true,
        help: 'allowed domain: example.com, *.example.com, localhost[:port] (a publishable key needs one)',
      },
    ],
    examples: [
      'keys create --workspace ws_… --type publishable --name web --domain example.com --domain "*.example.com"',
      'keys create --workspace ws_… --type secret --name backend',
    ],
    async run(ctx) {
      const type = ctx.str('type');
      if (type !== 'publishable' && type !== 'secret') {
        throw new UsageError('--type must be publishable or secret');
      }
      const body = { type, name: ctx.str('name'), allowed_domains: ctx.list('domain') ?? [] };
      const r = await ctx.client().request('POST', `${wsPath(ctx)}/keys`, body);
      ctx.print(showCreatedKey(r.body), r.body);
      return 0;
    },
  }),
  defineCommand({
    name: 'keys list',
    summary: "list a workspace's keys (ids, never the keys)",
    flags: [WORKSPACE],
    examples: ['keys list --workspace ws_…'],
    async run(ctx) {
      const r = await ctx.client().request('GET', `${wsPath(ctx)}/keys`);
      if (!Array.isArray(r.body?.keys)) throw new Error('the answer has no "keys" list');
      ctx.print(keyRows(r.body.keys), r.body);
      return 0;
    },
  }),
  defineCommand({
    name: 'keys update',
    summary: 'rename a key or replace its allowed domains',
    flags: [
      WORKSPACE,
      KEY,
      NAME(false, 'the new name'),
      {
        name: 'domain',
        type: 'string',
        value: 'DOMAIN',
        repeatable: true,
        help: 'allowed domain; the given list replaces the old one',
      },
    ],
    examples: ['keys update --workspace ws_… --key key_… --domain example.com --domain staging.example.com'],
    async run(ctx) {
      const body: Json = {};
      const name = ctx.str('name');
      const domains = ctx.list('domain');
      if (name !== undefined) body.name = name;
      if (domains !== undefined) body.allowed_domains = domains;
      if (!Object.keys(body).length) throw new UsageError('nothing to update: pass --name and/or --domain');
      const r = await ctx.client().request('PATCH', keyPath(ctx), body);
      ctx.print(fields(`key ${r.body.id}`, r.body, KEY_FIELDS), r.body);
      return 0;
    },
  }),
  defineCommand({
    name: 'keys revoke',
    summary: 'revoke a key (repeating it is harmless)',
    flags: [WORKSPACE, KEY],
    examples: ['keys revoke --workspace ws_… --key key_…'],
    async run(ctx) {
      const r = await ctx.client().request('DELETE', keyPath(ctx));
      ctx.print(fields(`key ${r.body.id} revoked`, r.body, KEY_FIELDS), r.body);
      return 0;
    },
  }),
  defineCommand({
    name: 'keys roll',
    summary: 'replace a key with a new one; the old one works for the overlap',
    flags: [
      WORKSPACE,
      KEY,
      {
        name: 'overlap',
        type: 'string',
        value: 'DURATION',
        help: 'how long the old key keeps working: seconds, or 30m, 24h, 7d; 0 revokes it now (default: one day)',
      },
    ],
    examples: ['keys roll --workspace ws_… --key key_… --overlap 24h'],
    async run(ctx) {
      const overlap = ctx.str('overlap');
      const body = overlap === undefined ? {} : { overlap_seconds: parseDuration(overlap) };
      const r = await ctx.client().request('POST', `${keyPath(ctx)}/roll`, body);
      const prev = r.body.previous;
      const when =
        prev.status === 'revoked'
          ? `The previous key ${prev.id} is revoked now.`
          : `The previous key ${prev.id} keeps working until ${prev.expires_at}.`;
      ctx.print(`${showCreatedKey(r.body)}${when}\n`, r.body);
      return 0;
    },
  }),
  defineCommand({
    name: 'usage',
    summary: "draw a workspace's per-key hourly usage for a month",
    flags: [
      WORKSPACE,
      { name: 'month', type: 'string', value: 'YYYY-MM', help: 'the month (default: this month)' },
      { name: 'hours', type: 'string', value: 'N', help: 'hours shown in the chart (default 24)' },
    ],
    examples: ['usage --workspace ws_…', 'usage --workspace ws_… --month 2026-11 --hours 48'],
    async run(ctx) {
      const month = ctx.str('month');
      const rawHours = ctx.str('hours');
      if (month !== undefined && !/^\d{4}-\d{2}$/.test(month))
        throw new UsageError('--month must be YYYY-MM');
      let hours: number | undefined;
      if (rawHours !== undefined) {
        if (!/^\d+$/.test(rawHours) || Number(rawHours) < 1) {
          throw new UsageError('--hours must be a whole number ≥ 1');
        }
        hours = Number(rawHours);
      }
      const r = await ctx.client().request('GET', `${wsPath(ctx)}/usage`, undefined, { month });
      ctx.print(renderUsageChart(r.body as UsageResponse, { hours }), r.body);
      return 0;
    },
  }),
];
