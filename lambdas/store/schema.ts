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
 *  Usage hour   pk=WS#<ws>        sk=USAGE#<YYYY-MM>#<DDHH>   one item per workspace-hour (UTC) once
 *                                  traffic of that hour was rolled up: k_<keyid> (the key's count
 *                                  in the hour), lu_<keyid> (its last use, ISO), r<ss> (sk of the
 *                                  last counter bucket of shard ss rolled into it). Written only
 *                                  by the (rare) bucket opener, never on the request path.
 *  Counter root  pk=WS#<ws>        sk=USAGE#<YYYY-MM>~<ss>     where the month's chain of counter
 *                                  buckets of shard ss starts (u=0; never counted into).
 *  Counter bucket pk=WS#<ws>       sk=USAGE#<YYYY-MM>~<ss>#<DDHHmm>   one item per shard and
 *                                  5-minute window (UTC, mm = 00, 05, …, 55), the ONE item a counted
 *                                  request writes (store/usage-counter.ts): u (the shard's
 *                                  MONTH-TO-DATE count: the quota counter), c<tag> (the key's count
 *                                  in the window), l<tag> (the key's last use, seconds after the
 *                                  window's start), r (retry token of the last counted write),
 *                                  x (sk of the successor, once closed), ttl (epoch seconds, set
 *                                  when closed: 49 h after the window's start). Budget shards
 *                                  (docs/scaling.md): shard 00 (HOME) also holds t (committed
 *                                  budget) and gs (shards granted to); others a (allotment) and g. <tag> is the key id
 *                                  without its `key_` prefix (counterTag). Short names keep the item
 *                                  well under 1 KB with 20 active keys (1 WCU per request).
 *                Opening a window closes the shard's latest bucket, rolls its key counts into its
 *                hour item and creates the new bucket, in one transaction (exactly once).
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
  /** the month's prefix of every usage item (hour items, counter chains) */
  usageMonth: (month: string) => `USAGE#${month}`,
  /** the month's prefix of its hour items */
  usageHours: (month: string) => `USAGE#${month}#`,
  /** the hour item of one UTC hour: `DDHH` from core/quota.ts dayHourOf */
  usageHour: (month: string, dayHour: string) => `USAGE#${month}#${dayHour}`,
  /** the root of a shard's counter chain of the month (also the prefix of its buckets) */
  counterRoot: (month: string, shard: number) => `USAGE#${month}~${String(shard).padStart(2, '0')}`,
  /** a shard's counter bucket of one 5-minute window: `DDHHmm` from core/quota.ts slotOf */
  counterBucket: (month: string, shard: number, slot: string) =>
    `USAGE#${month}~${String(shard).padStart(2, '0')}#${slot}`,
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

/** attribute names inside an hour item (the names the hour buckets before 5-minute counting had) */
export const usageAttr = {
  keyCount: (keyId: string) => `k_${keyId}`,
  lastUsed: (keyId: string) => `lu_${keyId}`,
  /** the latest counter bucket of shard `shard` rolled into this hour */
  rolled: (shard: number) => `r${String(shard).padStart(2, '0')}`,
};

/** attribute names inside a counter bucket (short: this item is written on every request) */
export const counterAttr = {
  used: 'u',
  /** HOME only: committed budget = HOME's count + every allotment handed out this month */
  committed: 't',
  /** HOME only: the shards it handed a slice to this month (number set) */
  granted: 'gs',
  /** other shards: the allotment (the shard admits while u < a) */
  allotted: 'a',
  /** other shards: HOME's committed budget right after this shard's last grant */
  grantSeen: 'g',
  count: (tag: string) => `c${tag}`,
  lastUse: (tag: string) => `l${tag}`,
  lastReq: 'r',
  closedInto: 'x',
  ttl: 'ttl',
};

/** The table's TTL attribute (lib/constructs/data.ts): epoch seconds. */
export const TTL_ATTR = counterAttr.ttl;

/** A key's tag in counter attribute names: its id without the `key_` prefix (base62 has no `_`). */
export function counterTag(keyId: string): string {
  return keyId.startsWith('key_') ? keyId.slice(4) : `_${keyId}`;
}
/** The key id of a counter tag (counterTag's inverse). */
export function tagKeyId(tag: string): string {
  return tag.startsWith('_') ? tag.slice(1) : `key_${tag}`;
}

const HOUR_SK = /^USAGE#(\d{4}-\d{2})#(\d{2})(\d{2})$/;
/** The hour an hour item counts (`YYYY-MM-DDTHH:00:00Z`); undefined for any other sort key. */
export function bucketHour(hourSk: string): string | undefined {
  const m = HOUR_SK.exec(hourSk);
  return m ? `${m[1]}-${m[2]}T${m[3]}:00:00Z` : undefined;
}

const COUNTER_SK = /^USAGE#(\d{4}-\d{2})~(\d{2})(?:#(\d{2})(\d{2})(\d{2}))?$/;
/** Shard and window start (ISO; undefined for a chain's root) of a counter sort key. */
export function counterSlot(counterSk: string): { shard: number; start?: string } | undefined {
  const m = COUNTER_SK.exec(counterSk);
  if (!m) return undefined;
  const shard = Number(m[2]);
  return m[3] === undefined ? { shard } : { shard, start: `${m[1]}-${m[3]}T${m[4]}:${m[5]}:00Z` };
}
