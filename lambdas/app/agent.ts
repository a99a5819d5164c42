/**
 * The agent tools (spec section 12) as use cases; lambdas/mcp/ serves them over MCP. Each one
 * authenticates its request as the HTTP route it mirrors does and counts exactly as that route
 * does: `get_avatar` is one GET /v1/avatar (app/avatar.ts avatarOf), `get_avatars` one
 * POST /v1/avatars/batch (app/batch.ts), `get_usage` one GET /v1/usage (app/usage.ts, not counted).
 */
import { objectKeyFor } from '../core/avatar-location';
import { parseAvatarItem } from '../core/avatar-params';
import { nextMonthStart } from '../core/quota';
import type { AvatarKind } from '../core/records';
import type { Format } from '../core/size';
import type { UsageKey } from '../core/usage';
import { type AuthRequest, authenticate } from './authenticate';
import { avatarOf } from './avatar';
import { avatarBatch, type BatchInput, type BatchResult } from './batch';
import type { AppDeps } from './ports';
import { usageOfCaller } from './usage';

/** Sizes up to this come back with the image itself, not only its URL. */
export const INLINE_MAX_SIZE = 256;
/** A variant of ≤ 256 px is a few KB; anything bigger than this is not inlined. */
export const INLINE_MAX_BYTES = 512 * 1024;

export interface AvatarArgs {
  /** exactly one of the two (core/profile.ts parseProfile says which is wrong) */
  linkedin_url?: string;
  username?: string;
  size?: number;
  format?: string;
}

export interface AgentAvatar {
  url: string;
  /** a photo, or the initials drawing (SVG, whatever `format` asked) when no photo exists */
  kind: AvatarKind;
  size: number;
  format: Format;
  content_type: string;
  /** the object itself, for sizes ≤ INLINE_MAX_SIZE */
  image?: { data: string; mimeType: string };
}

/** get_avatar: one profile, counted like GET /v1/avatar; the image inline for small sizes. */
export async function agentAvatar(
  deps: AppDeps,
  request: AuthRequest,
  args: AvatarArgs,
): Promise<AgentAvatar> {
  const now = deps.now();
  const auth = await authenticate(deps, request, 'mcp', now);
  // the avatar route's own checks (core/avatar-params.ts), in its order and words
  const target = parseAvatarItem({ ...args });
  const { record, location } = await avatarOf(deps, auth, target, now);
  const out: AgentAvatar = {
    url: location,
    kind: record.kind,
    size: target.size,
    format: target.format,
    content_type: record.kind === 'photo' ? `image/${target.format}` : 'image/svg+xml',
  };
  if (target.size <= INLINE_MAX_SIZE) {
    const key = objectKeyFor(record, target.size, target.format);
    try {
      const obj = await deps.store.avatars.getServedObject(key, INLINE_MAX_BYTES);
      if (obj) out.image = { data: obj.body.toString('base64'), mimeType: obj.contentType };
      else deps.log.warn('served object not readable inline', { key });
    } catch (e) {
      // the request is counted and its URL works: answer it without the inline copy
      deps.log.warn('served object not readable inline', { key, err: e as Error });
    }
  }
  return out;
}

/** get_avatars: 1–100 profiles, exactly one POST /v1/avatars/batch (per-item errors, per-item counting). */
export async function agentAvatars(
  deps: AppDeps,
  request: AuthRequest,
  items: AvatarArgs[],
  itemError: BatchInput['itemError'],
): Promise<BatchResult[]> {
  const { results } = await avatarBatch(deps, {
    headers: request.headers,
    queryStringParameters: request.queryStringParameters,
    body: () => ({ items }),
    itemError,
  });
  return results;
}

export interface AgentUsage {
  workspace_id: string;
  month: string;
  monthly_quota: number;
  used: number;
  remaining: number;
  /** when the count starts again (the next month start, UTC) */
  resets_at: string;
  /** per key, without the hourly series (GET /v1/usage has those) */
  keys: Omit<UsageKey, 'hourly' | 'blocked_hourly'>[];
}

/** get_usage: this month's usage and quota of the caller's workspace (not counted). */
export async function agentUsage(deps: AppDeps, request: AuthRequest): Promise<AgentUsage> {
  // this month only: the MCP request's query string is checked for keys, but is no tool argument
  const query = { ...request.queryStringParameters, month: undefined };
  const { usage } = await usageOfCaller(deps, { headers: request.headers, queryStringParameters: query });
  return {
    workspace_id: usage.workspace_id,
    month: usage.month,
    monthly_quota: usage.monthly_quota,
    used: usage.used,
    remaining: Math.max(0, usage.monthly_quota - usage.used),
    resets_at: nextMonthStart(deps.now()),
    keys: usage.keys.map(({ hourly: _h, blocked_hourly: _b, ...k }) => k),
  };
}
