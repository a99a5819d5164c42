/**
 * The parameters of one avatar: `GET /v1/avatar`'s query, one batch item, one MCP tool call.
 * Checked in the order the answers name them (the profile, then size, format, fallback); each
 * refusal is `400 invalid_request` naming the parameter. Pure, no schema library: this runs on
 * the avatar function's hot path. core/schemas/avatar.ts runs these same functions as its checks.
 */
import { parseProfile } from './profile';
import { type Fallback, type Format, parseFallback, parseFormat, parseSize } from './size';

export interface AvatarParams {
  /** the normalised `linkedin.com/in/<slug>` */
  profile: string;
  size: number;
  format: Format;
}

/** A batch item or a tool call: `size` may be a JSON integer or a numeric string. */
export function parseAvatarItem(item: Record<string, unknown>): AvatarParams {
  const size = typeof item.size === 'number' && Number.isInteger(item.size) ? String(item.size) : item.size;
  return { profile: parseProfile(item), size: parseSize(size), format: parseFormat(item.format) };
}

/** `GET /v1/avatar`'s query string. */
export function parseAvatarQuery(
  q: Record<string, string | undefined>,
): AvatarParams & { fallback: Fallback } {
  return { ...parseAvatarItem(q), fallback: parseFallback(q.fallback) };
}
