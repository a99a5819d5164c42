/** Record shapes as stored in DynamoDB (see schema.ts for keys). snake_case like the API. */
import type { KeyType } from './keys/format';

export interface WorkspaceRecord {
  id: string;
  name: string;
  monthly_quota: number;
  /** budget shards the counter spreads the month's budget over (docs/scaling.md); absent = 1 */
  shards?: number;
  created_at: string;
  updated_at?: string;
}

export interface KeyRecord {
  id: string;
  workspace_id: string;
  type: KeyType;
  name: string;
  last4: string;
  allowed_domains: string[];
  created_at: string;
  updated_at?: string;
  revoked_at?: string;
  expires_at?: string;
  exposed_at?: string;
  /** set by the one roll a key may have: its successor's id */
  rolled_to?: string;
}

export type AvatarKind = 'photo' | 'initials';
export interface AvatarRecord {
  /** HMAC id of the normalised profile (also the S3 path component) */
  id: string;
  /** normalised `linkedin.com/in/<slug>` */
  profile: string;
  version: string;
  kind: AvatarKind;
  /** generated objects, `"<size>.<format>"` (for initials `"<size>.svg"`) */
  variants?: string[];
  fetched_at: string;
  /** the last refresh attempt, successful or not (photo.ts isStale) */
  checked_at?: string;
  /**
   * the provider configuration of the last look (core/photo.ts providerTag): a "no photo" made
   * under another one is stale
   */
  provider?: string;
  /** the last look failed (network, timeout, 5xx, refused fetch): look again after a minute */
  failed_at?: string;
}
