/** A key's status at a moment (spec section 8). Pure; the clock is passed in. */
import type { KeyRecord } from '../records';

export type KeyStatus = 'active' | 'expired' | 'revoked';

/** Revoked wins over expired; an expiry in the past (or now) is expired. */
export function keyStatus(k: Pick<KeyRecord, 'revoked_at' | 'expires_at'>, now: Date): KeyStatus {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at && Date.parse(k.expires_at) <= now.getTime()) return 'expired';
  return 'active';
}
