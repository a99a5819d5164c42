/**
 * Validation of management API input (spec section 8). Pure functions, no AWS imports. The bodies
 * are checked by their schemas (schemas/admin.ts, the same ones the OpenAPI document shows); every
 * failure is `400 invalid_request` naming the field in `param`; unknown path ids are 404.
 */
import { normaliseDomainEntry } from './domains';
import { AvtrzError, invalidParam } from './errors';
import type { KeyType } from './keys/format';
import {
  DEFAULT_OVERLAP_SECONDS,
  type DomainEntryValidator,
  KEY_ID_RE,
  KeyCreateBody,
  KeyRollBody,
  KeyUpdateBody,
  keyCreateBody,
  keyUpdateBody,
  WorkspaceCreateBody,
  WorkspaceUpdateBody,
  WS_ID_RE,
} from './schemas/admin';
import { parseWith } from './schemas/validate';

/** Validates one allow-list entry; returns its normalised form or undefined when invalid. */
export type { DomainEntryValidator } from './schemas/admin';

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
  if (!raw || !WS_ID_RE.test(raw)) throw workspaceNotFound();
  return raw;
}

export function keyIdOrNotFound(raw: string | undefined): string {
  if (!raw || !KEY_ID_RE.test(raw)) throw keyNotFound();
  return raw;
}

export function parseWorkspaceCreate(body: unknown): { name: string; monthly_quota: number } {
  return parseWith(WorkspaceCreateBody, body);
}

export function parseWorkspaceUpdate(body: unknown): {
  name?: string;
  monthly_quota?: number;
  shards?: number;
} {
  return dropUndefined(parseWith(WorkspaceUpdateBody, body));
}

/** `validate`: how an allow-list entry is checked and normalised (core/domains.ts by default). */
export function parseKeyCreate(
  body: unknown,
  validate: DomainEntryValidator = normaliseDomainEntry,
): { type: KeyType; name: string; allowed_domains: string[] } {
  const schema = validate === normaliseDomainEntry ? KeyCreateBody : keyCreateBody(validate);
  const b = parseWith(schema, body);
  const list = b.allowed_domains ?? [];
  if (b.type === 'publishable' && list.length === 0) throw publishableNeedsDomain();
  return { type: b.type, name: b.name, allowed_domains: list };
}

/** The spec's rule for publishable keys, on create and on PATCH (where the key's type decides). */
export function publishableNeedsDomain(): AvtrzError {
  return invalidParam('allowed_domains', 'A publishable key needs at least one allowed domain.');
}

/** PATCH a key: the publishable rule (≥ 1 domain) is checked against the key's type by the caller. */
export function parseKeyUpdate(
  body: unknown,
  validate: DomainEntryValidator = normaliseDomainEntry,
): { name?: string; allowed_domains?: string[] } {
  const schema = validate === normaliseDomainEntry ? KeyUpdateBody : keyUpdateBody(validate);
  return dropUndefined(parseWith(schema, body));
}

/** POST …/roll: body optional; `overlap_seconds` integer ≥ 0 (default one day, 0 = revoke now). */
export function parseRoll(body: unknown): { overlap_seconds: number } {
  if (body === undefined) return { overlap_seconds: DEFAULT_OVERLAP_SECONDS };
  return { overlap_seconds: parseWith(KeyRollBody, body).overlap_seconds ?? DEFAULT_OVERLAP_SECONDS };
}

/** Optional fields the body did not send stay absent (an update touches only what was sent). */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
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
