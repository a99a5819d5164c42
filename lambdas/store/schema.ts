/**
 * Single-table design. The table's key schema is defined once here and used by the CDK table
 * (lib/constructs/data.ts) and by the local stack / tests when they create the table.
 *
 * Items
 *  Workspace     pk=WS#<ws>        sk=META             id,name,monthly_quota,created_at,updated_at
 *                gsi1pk=WORKSPACES gsi1sk=WS#<created_at>#<ws>   (list every workspace, newest first:
 *                                  GET /v1/admin/workspaces; written rarely, so one partition is fine)
 *  Key (auth)    pk=KEY#<sha256>   sk=KEY              id,workspace_id,type,name,last4,allowed_domains,
 *                                                      created_at,revoked_at?,expires_at?,exposed_at?
 *                gsi1pk=WS#<ws>    gsi1sk=KEY#<id>     (list a workspace's keys)
 *  Key pointer   pk=WS#<ws>        sk=KEY#<id>         key_hash  (strongly consistent lookup by id;
 *                                                      written with the auth item in one transaction)
 *  Usage bucket  pk=WS#<ws>        sk=USAGE#<YYYY-MM>#<DDHH>   one item per workspace-hour (UTC);
 *                                  used (the workspace's MONTH-TO-DATE count: the quota counter),
 *                                  k_<keyid> (the key's count in this hour), lu_<keyid> (the key's
 *                                  last use, ISO), last_req (retry token of the last counted write),
 *                                  closed + closed_into (sk of the successor bucket) once superseded.
 *                One conditional UpdateItem per avatar request on the current hour's bucket; the
 *                first request of an hour closes the month's latest bucket and carries its final
 *                `used` into the new one (store/usage.ts). Buckets stay well under 1 KB (1 WCU per
 *                request) and the sort key orders them in time.
 *  Usage root    pk=WS#<ws>        sk=USAGE#<YYYY-MM>  used=0, closed, closed_into: where the month's
 *                                  chain of buckets starts (sorts before them; never counted into).
 *  Blocked hour  pk=WS#<ws>        sk=BLOCKED#<YYYY-MM>#<keyid>#<DDHH>   one item per key-hour (UTC)
 *                                  with requests refused as domain_blocked: n (count), and per
 *                                  slot ss (00..31) h<ss> (refused host), c<ss> (count), f<ss>
 *                                  (fingerprint sum); see core/usage.ts. One unconditional
 *                                  UpdateItem per refused request of a known key (never for
 *                                  unknown keys); at most 32 names of ≤ 100 characters per item.
 *  Lookup        pk=WS#<ws>        sk=LOOKUP#<hmacid>  first_at: this workspace has looked the profile
 *                                  up (its first counted request for it); the quota's "new lookup"
 *                                  is decided per workspace from it (store/lookups.ts)
 *  Avatar        pk=AV#<hmacid>    sk=AV               profile,version,kind('photo'|'initials'),
 *                                                      variants (string set of "<size>.<format>"),
 *                                                      ("<size>.svg" for initials), fetched_at,
 *                                                      checked_at? (last look), provider (the provider
 *                                                      configuration of the last look), failed_at? (the
 *                                                      last look failed); when a record is looked up
 *                                                      again: core/photo.ts isDue
 *
 * S3 object keys: core/object-keys.ts.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/** An item without the table's key attributes: the record it stores. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _p, sk: _s, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as T;
}

/** `YYYY-MM` of a usage sort key (`USAGE#<YYYY-MM>[#<DDHH>]`) */
export function usageMonthOf(usageSk: string): string {
  return usageSk.slice('USAGE#'.length, 'USAGE#'.length + 7);
}

/** gsi1 values other than a key's (which uses pk.workspace / sk.keyPointer) */
export const gsi1 = {
  workspaceList: 'WORKSPACES',
  workspaceListEntry: (orderKey: string) => `WS#${orderKey}`,
};

export const pk = {
  workspace: (ws: string) => `WS#${ws}`,
  keyHash: (hash: string) => `KEY#${hash}`,
  avatar: (id: string) => `AV#${id}`,
};

export const sk = {
  workspaceMeta: 'META',
  key: 'KEY',
  keyPointer: (id: string) => `KEY#${id}`,
  /** the month's prefix of every usage bucket (and the sk of the month's root) */
  usageMonth: (month: string) => `USAGE#${month}`,
  /** the bucket of one UTC hour: `DDHH` from core/quota.ts dayHourOf */
  usageBucket: (month: string, dayHour: string) => `USAGE#${month}#${dayHour}`,
  avatar: 'AV',
  /** the month's prefix of every blocked-hour item */
  blockedMonth: (month: string) => `BLOCKED#${month}#`,
  blockedHour: (month: string, keyId: string, dayHour: string) => `BLOCKED#${month}#${keyId}#${dayHour}`,
  /** a profile this workspace has looked up (its HMAC id) */
  lookup: (id: string) => `LOOKUP#${id}`,
};

/** attribute names inside a blocked-hour item (core/usage.ts) */
export const blockedAttr = {
  total: 'n',
  name: (ss: string) => `h${ss}`,
  count: (ss: string) => `c${ss}`,
  sum: (ss: string) => `f${ss}`,
};

const BLOCKED_SK = /^BLOCKED#(\d{4}-\d{2})#(.+)#(\d{2})(\d{2})$/;
/** key id and hour (`YYYY-MM-DDTHH:00:00Z`) of a blocked-hour sort key; undefined for any other */
export function blockedKeyHour(blockedSk: string): { keyId: string; hour: string } | undefined {
  const m = BLOCKED_SK.exec(blockedSk);
  return m ? { keyId: m[2], hour: `${m[1]}-${m[3]}T${m[4]}:00:00Z` } : undefined;
}

/** attribute names inside a usage bucket */
export const usageAttr = {
  used: 'used',
  keyCount: (keyId: string) => `k_${keyId}`,
  lastUsed: (keyId: string) => `lu_${keyId}`,
  lastReq: 'last_req',
  closed: 'closed',
  closedInto: 'closed_into',
};

const BUCKET_SK = /^USAGE#(\d{4}-\d{2})#(\d{2})(\d{2})$/;
/** The hour a bucket counts (`YYYY-MM-DDTHH:00:00Z`); undefined for any other sort key. */
export function bucketHour(bucketSk: string): string | undefined {
  const m = BUCKET_SK.exec(bucketSk);
  return m ? `${m[1]}-${m[2]}T${m[3]}:00:00Z` : undefined;
}
