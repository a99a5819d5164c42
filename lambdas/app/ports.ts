/**
 * What the use cases need from the outside world, as interfaces. lambdas/store implements the
 * stores and the resolver port, lambdas/runtime the rest (clock, logger, caches, secret); the use
 * cases import neither, so they can be read and tested without AWS.
 */
import type { KeyPrincipal } from '../core/auth';
import type { KeyType } from '../core/keys/format';
import type { AvatarRecord, KeyRecord, WorkspaceRecord } from '../core/records';
import type { ResolverRequest, ResolverResult } from '../core/resolver-contract';
import type { TtlCache } from '../core/ttl-cache';
import type { KeyBlocked, MinuteCount, MonthUsage, UsageWindow } from '../core/usage';
import type { WorkspaceCursor, WorkspacePageQuery } from '../core/workspace-page';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface NewKeyFields {
  workspace_id: string;
  type: KeyType;
  name: string;
  allowed_domains: string[];
}

export type RollResult =
  | { ok: true; previous: KeyRecord; record: KeyRecord; key: string }
  | { ok: false; reason: 'not_found' | 'revoked' }
  /** rolled before (successor unknown only for a key rolled before rolls recorded it) */
  | { ok: false; reason: 'rolled'; successor?: string };

export interface KeyStore {
  /** the auth item and the pointer item in one transaction; the full key exists only in the answer */
  createKey(input: NewKeyFields): Promise<{ record: KeyRecord; key: string }>;
  getKeyByHash(hash: string): Promise<KeyRecord | undefined>;
  /** flag a secret key seen in a URL (first time only); false for an unknown key */
  markExposed(hash: string, at: string): Promise<boolean>;
  getKey(workspaceId: string, keyId: string): Promise<KeyRecord | undefined>;
  listKeys(workspaceId: string): Promise<KeyRecord[]>;
  updateKey(
    workspaceId: string,
    keyId: string,
    patch: { name?: string; allowed_domains?: string[] },
  ): Promise<KeyRecord | undefined>;
  revokeKey(workspaceId: string, keyId: string): Promise<KeyRecord | undefined>;
  rollKey(workspaceId: string, keyId: string, overlapSeconds: number, now: Date): Promise<RollResult>;
}

export interface WorkspaceStore {
  createWorkspace(input: { name: string; monthly_quota: number }): Promise<WorkspaceRecord>;
  getWorkspace(id: string, opts?: { consistent?: boolean }): Promise<WorkspaceRecord | undefined>;
  updateWorkspace(
    id: string,
    patch: { name?: string; monthly_quota?: number; shards?: number },
  ): Promise<WorkspaceRecord | undefined>;
  /** every workspace, newest first, one page */
  listWorkspaces(
    query: WorkspacePageQuery,
  ): Promise<{ workspaces: WorkspaceRecord[]; next?: WorkspaceCursor }>;
  /** the existing workspaces among these ids (at most 100), in no particular order */
  getWorkspaces(ids: readonly string[]): Promise<WorkspaceRecord[]>;
  /** put a workspace written before the list index into it (no-op if indexed); true if it wrote */
  indexWorkspace(ws: WorkspaceRecord): Promise<boolean>;
}

export interface CountInput {
  workspaceId: string;
  keyId: string;
  now: Date;
  /** workspace monthly quota */
  quota: number;
  /** true for a new lookup: refuse at the quota (not read when `profileId` is given) */
  enforceQuota: boolean;
  /**
   * The profile requested (its HMAC id): the store decides whether it is a new lookup for THIS
   * workspace (spec section 4: "already looked up" is per workspace; store/lookups.ts).
   */
  profileId?: string;
  /**
   * How long one attempt of the counted write may take (default: the SDK's per-attempt bound):
   * the time left before what must follow it, so a slow write that is applied is answered.
   */
  attemptMs?: number;
  /** idempotency token; a fresh one per logical request (tests may pass their own) */
  token?: string;
  /** the workspace's budget shards (docs/scaling.md; default 1) */
  shards?: number;
}

export interface BlockedInput {
  workspaceId: string;
  keyId: string;
  /** the refused site as core/domains.ts blockedSiteName reports it */
  site: string;
  now: Date;
}

export type CountResult = { counted: true; used: number } | { counted: false; used: number };

export interface UsageStore {
  /** the ONE counted write of an avatar request */
  countRequest(input: CountInput): Promise<CountResult>;
  /** the workspace's count for the month of `now`, read, not written */
  readUsed(workspaceId: string, now: Date): Promise<number>;
  getMonthUsage(workspaceId: string, month: string): Promise<MonthUsage | undefined>;
  /** each key's 5-minute points in a window of the last 48 hours, by key id */
  getMinutely(workspaceId: string, window: UsageWindow): Promise<Map<string, MinuteCount[]>>;
  /** count one request of a known key refused with domain_blocked (one write; not the quota) */
  countBlocked(input: BlockedInput): Promise<void>;
  /** the month's blocked requests per key id */
  getMonthBlocked(workspaceId: string, month: string): Promise<Map<string, KeyBlocked>>;
  lastUsedAt(
    workspaceId: string,
    keys: { id: string; created_at: string }[],
    currentMonth: string,
  ): Promise<Map<string, string>>;
}

export interface AvatarStore {
  /** memory first, then DynamoDB; misses are not cached */
  getAvatar(id: string): Promise<AvatarRecord | undefined>;
  /** drop one cached record (the photo pipeline replaced it) */
  forgetAvatar(id: string): void;
  /** create the record unless one exists; on a clash, the winner */
  putAvatarIfAbsent(rec: AvatarRecord): Promise<AvatarRecord>;
  /** store the initials SVG object at one size (idempotent) */
  storeInitialsObject(id: string, profile: string, size: number): Promise<{ version: string; key: string }>;
  /** a served object's bytes (a/… only); undefined when missing or over `maxBytes` */
  getServedObject(key: string, maxBytes: number): Promise<{ body: Buffer; contentType: string } | undefined>;
}

/** The resolver's storage of photos: originals, variants and version-conditioned record updates. */
export interface PhotoStore {
  putObject(
    key: string,
    body: string | Uint8Array,
    contentType: string,
    cacheControl?: string,
  ): Promise<void>;
  putOriginal(id: string, version: string, bytes: Uint8Array, contentType: string): Promise<void>;
  getOriginal(id: string, version: string): Promise<Buffer | undefined>;
  replaceAvatar(rec: AvatarRecord, expectedVersion: string): Promise<boolean>;
  addVariant(id: string, version: string, variant: string): Promise<boolean>;
  /** a look had an answer (the same photo, or none): checked now under `provider`, no failure */
  markChecked(
    id: string,
    version: string,
    at: string,
    samePhoto: boolean,
    provider?: string,
  ): Promise<boolean>;
  /** a look failed: `failed_at` (retry after core/photo.ts FAILURE_RETRY_MS), if the record still has `version` */
  markFailed(id: string, version: string, at: string, provider: string): Promise<boolean>;
  /**
   * Take the next look at a failed record: moves `failed_at` from `seenFailedAt` to `at` (under
   * `provider`), so of concurrent retries exactly one wins; the record after the claim, or
   * undefined when another one won.
   */
  claimRetry(
    id: string,
    seenFailedAt: string,
    at: string,
    provider: string,
  ): Promise<AvatarRecord | undefined>;
}

export interface Store {
  keys: KeyStore;
  workspaces: WorkspaceStore;
  usage: UsageStore;
  avatars: AvatarStore;
  photos: PhotoStore;
}

export interface ResolverPort {
  /** run the resolver and wait for its answer; throws when it failed or did not answer in time */
  invoke(req: ResolverRequest): Promise<ResolverResult>;
  /** ask for a background refresh; never throws; false when not requested (asked recently, failed) */
  refreshInBackground(req: Extract<ResolverRequest, { op: 'refresh' }>): Promise<boolean>;
}

/**
 * The current request's deadline (runtime/deadline.ts; how it is set: app/budget.ts). Without one
 * (tools, tests that pass no Lambda context) msLeft is Infinity and signal undefined.
 */
export interface Deadline {
  /** run one request with a deadline at `at` (epoch ms); undefined = none */
  run<T>(at: number | undefined, fn: () => Promise<T>): Promise<T>;
  /** ms left before the deadline, minus `reserveMs` */
  msLeft(reserveMs?: number): number;
  /** aborts `reserveMs` before the deadline, and after `capMs` at most; undefined when neither applies */
  signal(reserveMs?: number, capMs?: number): AbortSignal | undefined;
}

/** Everything a use case may be handed: one runtime provides it all. */
export interface AppDeps {
  store: Store;
  resolver: ResolverPort;
  log: Logger;
  /** the ONE clock */
  now(): Date;
  deadline: Deadline;
  hmacSecret(): Promise<string>;
  keyCache: TtlCache<KeyPrincipal | null>;
  readonly config: {
    readonly keyCacheSeconds: number;
    readonly refreshDays: number;
    readonly missRecheckHours: number;
    readonly cdnUrl: string;
    readonly upstreamUrl?: string;
  };
  /** batch: time budget for starting items (default app/batch.ts BATCH_BUDGET_MS) */
  readonly batchBudgetMs?: number;
}
