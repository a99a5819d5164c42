/**
 * Validation of management API input (spec section 8). Pure functions, no AWS imports.
 * Every failure is `400 invalid_request` naming the field in `param`; unknown path ids are 404.
 */
import { AvtrzError, invalidParam } from './errors';
import type { KeyType } from './keys/format';
import { MAX_SHARDS } from './quota';

const WS_ID = /^ws_[0-9A-Za-z]{16}$/;
const KEY_ID = /^key_[0-9A-Za-z]{16}$/;
const NAME_MAX = 100;
const MAX_DOMAINS = 50;
const MAX_QUOTA = 1_000_000_000_000;
const DEFAULT_OVERLAP_SECONDS = 86_400;
/** one year: a longer overlap is almost certainly a unit mistake */
const MAX_OVERLAP_SECONDS = 31_536_000;

/** Validates one allow-list entry; returns its normalised form or undefined when invalid. */
export type DomainEntryValidator = (entry: string) => string | undefined;

export const API_KEY_ON_ADMIN_MESSAGE =
  'API keys may not call the management API; it is for operators (IAM).';

/** Any API key on an admin route is refused, whatever else authorised the request. */
export function refuseApiKey(
  headers: Record<string, string | undefined> | undefined,
  query: Record<string, string | undefined> | undefined,
): void {
  const h = headers ?? {};
  const hasHeader = Object.keys(h).some((k) => k.toLowerCase() === 'x-api-key');
  if (hasHeader || (query && query.key !== undefined)) {
    throw new AvtrzError('forbidden', API_KEY_ON_ADMIN_MESSAGE);
  }
}

/** `404 not_found` for a workspace: a malformed id and an unknown one answer alike. */
export function workspaceNotFound(): AvtrzError {
  return new AvtrzError('not_found', 'Workspace not found.');
}

/** `404 not_found` for a key (also a key of another workspace). */
export function keyNotFound(): AvtrzError {
  return new AvtrzError('not_found', 'Key not found.');
}

function workspaceIdOrNotFound(raw: string | undefined): string {
  if (!raw || !WS_ID.test(raw)) throw workspaceNotFound();
  return raw;
}

export function keyIdOrNotFound(raw: string | undefined): string {
  if (!raw || !KEY_ID.test(raw)) throw keyNotFound();
  return raw;
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidParam('body', 'The body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw invalidParam(k, `Unknown field "${k}". Allowed: ${allowed.join(', ')}.`);
  }
}

/**
 * Control characters (C0, DEL, C1) and the bidirectional controls (ALM, LRM, RLM, the embeddings
 * and overrides U+202A–U+202E, the isolates U+2066–U+2069): a name is shown to operators in the
 * CLI and the console, and a bidi control there reorders what is displayed around it (spoofing).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function name(v: unknown, param = 'name'): string {
  if (typeof v !== 'string') throw invalidParam(param, `${param} must be a string.`);
  const s = v.trim();
  if (!s) throw invalidParam(param, `${param} must not be empty.`);
  if (s.length > NAME_MAX) throw invalidParam(param, `${param} must be at most ${NAME_MAX} characters.`);
  if (CONTROL_CHARS.test(s))
    throw invalidParam(
      param,
      `${param} must not contain control characters (including bidirectional controls such as U+202E).`,
    );
  return s;
}

function quota(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_QUOTA) {
    throw invalidParam('monthly_quota', `monthly_quota must be an integer between 0 and ${MAX_QUOTA}.`);
  }
  return v;
}

export function parseWorkspaceCreate(body: unknown): { name: string; monthly_quota: number } {
  const b = asObject(body);
  onlyFields(b, ['name', 'monthly_quota']);
  if (b.name === undefined) throw invalidParam('name', 'name is required.');
  if (b.monthly_quota === undefined) throw invalidParam('monthly_quota', 'monthly_quota is required.');
  return { name: name(b.name), monthly_quota: quota(b.monthly_quota) };
}

function shards(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_SHARDS) {
    throw invalidParam('shards', `shards must be an integer between 1 and ${MAX_SHARDS}.`);
  }
  return v;
}

export function parseWorkspaceUpdate(body: unknown): {
  name?: string;
  monthly_quota?: number;
  shards?: number;
} {
  const b = asObject(body);
  onlyFields(b, ['name', 'monthly_quota', 'shards']);
  const out: { name?: string; monthly_quota?: number; shards?: number } = {};
  if (b.name !== undefined) out.name = name(b.name);
  if (b.monthly_quota !== undefined) out.monthly_quota = quota(b.monthly_quota);
  if (b.shards !== undefined) out.shards = shards(b.shards);
  if (out.name === undefined && out.monthly_quota === undefined && out.shards === undefined) {
    throw invalidParam('body', 'Nothing to update: send name, monthly_quota and/or shards.');
  }
  return out;
}

function domains(v: unknown, validate: DomainEntryValidator): string[] {
  if (!Array.isArray(v))
    throw invalidParam('allowed_domains', 'allowed_domains must be an array of strings.');
  if (v.length > MAX_DOMAINS) {
    throw invalidParam('allowed_domains', `allowed_domains may hold at most ${MAX_DOMAINS} entries.`);
  }
  const out: string[] = [];
  v.forEach((entry, i) => {
    const ok = typeof entry === 'string' ? validate(entry) : undefined;
    if (ok === undefined) {
      // the entry itself is not echoed: it is caller input and may be arbitrarily long
      throw invalidParam(
        'allowed_domains',
        `allowed_domains[${i}] is not a valid entry: use a host such as example.com, *.example.com, localhost or 127.0.0.1, optionally with a port; no scheme or path.`,
      );
    }
    if (!out.includes(ok)) out.push(ok);
  });
  return out;
}

function keyType(v: unknown): KeyType {
  if (v !== 'publishable' && v !== 'secret') {
    throw invalidParam('type', 'type must be "publishable" or "secret".');
  }
  return v;
}

export function parseKeyCreate(
  body: unknown,
  validate: DomainEntryValidator,
): { type: KeyType; name: string; allowed_domains: string[] } {
  const b = asObject(body);
  onlyFields(b, ['type', 'name', 'allowed_domains']);
  if (b.type === undefined) throw invalidParam('type', 'type is required ("publishable" or "secret").');
  const type = keyType(b.type);
  if (b.name === undefined) throw invalidParam('name', 'name is required.');
  const n = name(b.name);
  const list = b.allowed_domains === undefined ? [] : domains(b.allowed_domains, validate);
  if (type === 'publishable' && list.length === 0) throw publishableNeedsDomain();
  return { type, name: n, allowed_domains: list };
}

/** The spec's rule for publishable keys, on create and on PATCH (where the key's type decides). */
export function publishableNeedsDomain(): AvtrzError {
  return invalidParam('allowed_domains', 'A publishable key needs at least one allowed domain.');
}

/** PATCH a key: the publishable rule (≥ 1 domain) is checked against the key's type by the caller. */
export function parseKeyUpdate(
  body: unknown,
  validate: DomainEntryValidator,
): { name?: string; allowed_domains?: string[] } {
  const b = asObject(body);
  onlyFields(b, ['name', 'allowed_domains']);
  const out: { name?: string; allowed_domains?: string[] } = {};
  if (b.name !== undefined) out.name = name(b.name);
  if (b.allowed_domains !== undefined) out.allowed_domains = domains(b.allowed_domains, validate);
  if (out.name === undefined && out.allowed_domains === undefined) {
    throw invalidParam('body', 'Nothing to update: send name and/or allowed_domains.');
  }
  return out;
}

/** POST …/roll: body optional; `overlap_seconds` integer ≥ 0 (default one day, 0 = revoke now). */
export function parseRoll(body: unknown): { overlap_seconds: number } {
  if (body === undefined) return { overlap_seconds: DEFAULT_OVERLAP_SECONDS };
  const b = asObject(body);
  onlyFields(b, ['overlap_seconds']);
  if (b.overlap_seconds === undefined) return { overlap_seconds: DEFAULT_OVERLAP_SECONDS };
  const v = b.overlap_seconds;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_OVERLAP_SECONDS) {
    throw invalidParam(
      'overlap_seconds',
      `overlap_seconds must be an integer between 0 and ${MAX_OVERLAP_SECONDS} (0 = revoke the old key now).`,
    );
  }
  return { overlap_seconds: v };
}

/** The shape of the request parts an admin handler looks at (structurally the API Gateway v2 event). */
export interface AdminRequestParts {
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
}

/** Every admin handler starts here: refuse API keys, then resolve the `{ws}` path id. */
export function adminWorkspace(event: AdminRequestParts): string {
  refuseApiKey(event.headers, event.queryStringParameters);
  return workspaceIdOrNotFound(event.pathParameters?.ws);
}
