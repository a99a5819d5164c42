/**
 * Single-table design. The table's key schema is defined once here and used by the CDK table
 * (lib/constructs/data.ts) and by the local stack / tests when they create the table.
 *
 * Items
 *  Workspace     pk=WS#<ws>        sk=META             id,name,monthly_quota,created_at,updated_at
 *  Key (auth)    pk=KEY#<sha256>   sk=KEY              id,workspace_id,type,name,last4,allowed_domains,
 *                                                      created_at,revoked_at?,expires_at?,exposed_at?
 *                gsi1pk=WS#<ws>    gsi1sk=KEY#<id>     (list a workspace's keys)
 *  Key pointer   pk=WS#<ws>        sk=KEY#<id>         key_hash  (strongly consistent lookup by id;
 *                                                      written with the auth item in one transaction)
 *  Usage month   pk=WS#<ws>        sk=USAGE#<YYYY-MM>  used (workspace total, the quota counter),
 *                                                      h_<keyid>_<DDHH> (key's hourly count),
 *                                                      lu_<keyid> (key's last_used_at ISO)
 *                One conditional UpdateItem per avatar request updates all three atomically.
 *                Size bound: ~28 bytes per key-hour => ~14,000 key-hours per workspace-month
 *                (e.g. 19 keys each busy in every hour of the month) under the 400 KB item limit.
 *  Avatar        pk=AV#<hmacid>    sk=AV               profile,version,kind('photo'|'initials'),
 *                                                      variants (string set of "<size>.<format>"),
 *                                                      fetched_at, checked_at? (last refresh attempt;
 *                                                      the photo is due for refresh AVTRZ_REFRESH_DAYS
 *                                                      after the later of the two)
 *
 * S3 objects (private bucket, served by CloudFront under /a/*)
 *  a/<hmacid>/<version>/<size>.<format>   resized photo variants (immutable)
 *  a/<hmacid>/<version>/initials.svg      initials fallback (immutable)
 *  o/<hmacid>/<version>/original          the provider's original bytes (never served)
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

export const pk = {
  workspace: (ws: string) => `WS#${ws}`,
  keyHash: (hash: string) => `KEY#${hash}`,
  avatar: (id: string) => `AV#${id}`,
};

export const sk = {
  workspaceMeta: 'META',
  key: 'KEY',
  keyPointer: (id: string) => `KEY#${id}`,
  usageMonth: (month: string) => `USAGE#${month}`,
  avatar: 'AV',
};

/** attribute names inside a usage-month item */
export const usageAttr = {
  used: 'used',
  hourly: (keyId: string, dayHour: string) => `h_${keyId}_${dayHour}`,
  lastUsed: (keyId: string) => `lu_${keyId}`,
};

/** `YYYY-MM` of a date, UTC */
export function monthOf(d: Date): string {
  return d.toISOString().slice(0, 7);
}
/** `DDHH` of a date, UTC (hour within the month) */
export function dayHourOf(d: Date): string {
  return d.toISOString().slice(8, 10) + d.toISOString().slice(11, 13);
}
/** start of the next UTC month, ISO */
export function nextMonthStart(d: Date): string {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString();
}

export const s3Key = {
  variant: (id: string, version: string, size: number, format: string) =>
    `a/${id}/${version}/${size}.${format}`,
  initials: (id: string, version: string) => `a/${id}/${version}/initials.svg`,
  original: (id: string, version: string) => `o/${id}/${version}/original`,
};
