/** The stores over one context: what runtime/index.ts hands to the use cases as app's `Store`. */
import type { Store } from '../app/ports';
import { forgetAvatar, getAvatar, putAvatarIfAbsent, putObject } from './avatars';
import { countBlocked } from './blocked-counter';
import type { StoreContext } from './context';
import { storeInitialsObject } from './initials';
import {
  createKey,
  getKey,
  getKeyByHash,
  listKeys,
  markExposed,
  revokeKey,
  rollKey,
  updateKey,
} from './keys';
import { countAvatarRequest } from './lookups';
import {
  addVariant,
  claimRetry,
  getOriginal,
  markChecked,
  markFailed,
  putOriginal,
  replaceAvatar,
} from './photos';
import { readUsed } from './usage-counter';
import { getMinutely, getMonthBlocked, getMonthUsage, lastUsedAt } from './usage-read';
import {
  createWorkspace,
  getWorkspace,
  getWorkspaces,
  indexWorkspace,
  listWorkspaces,
  updateWorkspace,
} from './workspaces';

export type { StoreContext } from './context';

export function createStore(ctx: StoreContext): Store {
  return {
    keys: {
      createKey: (input) => createKey(ctx, input),
      getKeyByHash: (hash) => getKeyByHash(ctx, hash),
      markExposed: (hash, at) => markExposed(ctx, hash, at),
      getKey: (ws, id) => getKey(ctx, ws, id),
      listKeys: (ws) => listKeys(ctx, ws),
      updateKey: (ws, id, patch) => updateKey(ctx, ws, id, patch),
      revokeKey: (ws, id) => revokeKey(ctx, ws, id),
      rollKey: (ws, id, overlap, now) => rollKey(ctx, ws, id, overlap, now),
    },
    workspaces: {
      createWorkspace: (input) => createWorkspace(ctx, input),
      getWorkspace: (id, opts) => getWorkspace(ctx, id, opts),
      updateWorkspace: (id, patch) => updateWorkspace(ctx, id, patch),
      listWorkspaces: (query) => listWorkspaces(ctx, query),
      getWorkspaces: (ids) => getWorkspaces(ctx, ids),
      indexWorkspace: (ws) => indexWorkspace(ctx, ws),
    },
    usage: {
      countRequest: (input) => countAvatarRequest(ctx, input),
      readUsed: (ws, now) => readUsed(ctx, ws, now),
      getMonthUsage: (ws, month) => getMonthUsage(ctx, ws, month),
      getMinutely: (ws, window) => getMinutely(ctx, ws, window),
      countBlocked: (input) => countBlocked(ctx, input),
      getMonthBlocked: (ws, month) => getMonthBlocked(ctx, ws, month),
      lastUsedAt: (ws, keys, month) => lastUsedAt(ctx, ws, keys, month),
    },
    avatars: {
      getAvatar: (id) => getAvatar(ctx, id),
      forgetAvatar: (id) => forgetAvatar(ctx, id),
      putAvatarIfAbsent: (rec) => putAvatarIfAbsent(ctx, rec),
      storeInitialsObject: (id, profile, size) => storeInitialsObject(ctx, id, profile, size),
    },
    photos: {
      putObject: (key, body, type, cacheControl) => putObject(ctx, key, body, type, cacheControl),
      putOriginal: (id, version, bytes, type) => putOriginal(ctx, id, version, bytes, type),
      getOriginal: (id, version) => getOriginal(ctx, id, version),
      replaceAvatar: (rec, expected) => replaceAvatar(ctx, rec, expected),
      addVariant: (id, version, variant) => addVariant(ctx, id, version, variant),
      markChecked: (id, version, at, same, provider) => markChecked(ctx, id, version, at, same, provider),
      markFailed: (id, version, at, provider) => markFailed(ctx, id, version, at, provider),
      claimRetry: (id, seen, at, provider) => claimRetry(ctx, id, seen, at, provider),
    },
  };
}
