/**
 * Demo data for the local stack. Only key hashes are stored in the table, so the demo keys (and
 * the admin token and HMAC secret) are kept in `$AVTRZ_DATA_DIR/demo.json` (git-ignored, mode 600):
 * a restart shows the same keys. If they are no longer valid in the table (revoked, expired,
 * table wiped), new ones are created with the same store functions the admin API uses.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../../lambdas/app/ports';
import { hashKey, type KeyType, parseKey } from '../../lambdas/core/keys/format';
import { keyStatus } from '../../lambdas/core/keys/status';

export const DEMO_ALLOWED_DOMAINS = ['localhost', '127.0.0.1'];
const DEMO_WORKSPACE = { name: 'Demo workspace', monthly_quota: 10_000 };

export interface DemoState {
  adminToken: string;
  hmacSecret: string;
  workspaceId?: string;
  publishableKey?: string;
  secretKey?: string;
}

export interface Demo {
  workspaceId: string;
  publishableKey: string;
  secretKey: string;
}

function demoFile(dataDir: string): string {
  return path.join(dataDir, 'demo.json');
}

/** Read demo.json (or start a new one); secrets are generated once and then kept. */
export function readState(dataDir: string): DemoState {
  const file = demoFile(dataDir);
  let stored: Partial<DemoState> = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoState>;
    } catch {
      throw new Error(`${file} is not valid JSON: fix or delete it (the demo keys are then re-created).`);
    }
  }
  return {
    ...stored,
    adminToken: typeof stored.adminToken === 'string' && stored.adminToken ? stored.adminToken : token(),
    hmacSecret:
      typeof stored.hmacSecret === 'string' && stored.hmacSecret.length >= 16 ? stored.hmacSecret : token(),
  };
}

export function writeState(dataDir: string, state: DemoState): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(demoFile(dataDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

function token(): string {
  return randomBytes(24).toString('base64url');
}

async function keyStillValid(
  store: Store,
  key: string | undefined,
  type: KeyType,
  workspaceId: string,
): Promise<boolean> {
  if (!key || parseKey(key) !== type) return false;
  const rec = await store.keys.getKeyByHash(hashKey(key));
  return rec?.workspace_id === workspaceId && rec.type === type && keyStatus(rec, new Date()) === 'active';
}

/** Make sure the demo workspace and keys in `state` exist in the table; returns them. */
export async function ensureDemo(store: Store, state: DemoState): Promise<Demo> {
  const existing = state.workspaceId ? await store.workspaces.getWorkspace(state.workspaceId) : undefined;
  // a data dir from before GET /v1/admin/workspaces: the demo workspace joins the list
  if (existing) await store.workspaces.indexWorkspace(existing);
  const workspaceId = existing ? existing.id : (await store.workspaces.createWorkspace(DEMO_WORKSPACE)).id;
  const keys: Record<KeyType, string | undefined> = {
    publishable: state.publishableKey,
    secret: state.secretKey,
  };
  for (const type of ['publishable', 'secret'] as const) {
    if (!(await keyStillValid(store, keys[type], type, workspaceId))) {
      const created = await store.keys.createKey({
        workspace_id: workspaceId,
        type,
        name: `Demo ${type} key`,
        allowed_domains: DEMO_ALLOWED_DOMAINS,
      });
      keys[type] = created.key;
    }
  }
  state.workspaceId = workspaceId;
  state.publishableKey = keys.publishable;
  state.secretKey = keys.secret;
  return { workspaceId, publishableKey: keys.publishable as string, secretKey: keys.secret as string };
}
