/**
 * The photo provider protocol (ARCHITECTURE.md "Photo source"): GET the operator's template URL
 * with `{profile}` filled in; the provider answers an image (use it), JSON `{"image_url"}` (fetch
 * that, every hop checked) or 404 (no photo). Two kinds of "no image", with a reason for the log:
 *  - `none`: the provider said there is no photo (404 or 410, JSON without an image_url), or no
 *    provider is configured. Remembered for AVTRZ_MISS_RECHECK_HOURS.
 *  - `failed`: we could not learn the answer (network error, timeout, any other status, a fetch
 *    the policy refused, unreadable JSON). Never remembered as "no photo": looked up again later.
 */
import {
  FETCH_LIMITS,
  isAcceptedImageType,
  isJsonType,
  providerOrigin,
  providerUrl,
} from '../core/fetch-policy';
import { type FetchOptions, FetchRefused, guardedGet } from './fetcher';

export type ProviderOutcome =
  | { kind: 'image'; bytes: Buffer; contentType: string }
  | { kind: 'none' | 'failed'; reason: string; detail?: string };

/** statuses that say "this resource does not exist", as opposed to "not now" */
const NO_SUCH_PHOTO = new Set([404, 410]);

const JSON_MAX_BYTES = 64 * 1024;

export interface LookupOptions {
  timeoutMs?: number;
  maxBytes?: number;
  resolve?: FetchOptions['resolve'];
}

export async function lookupPhoto(
  template: string | undefined,
  profile: string,
  options: LookupOptions = {},
): Promise<ProviderOutcome> {
  if (!template) return { kind: 'none', reason: 'no_provider' };
  const trustedOrigin = providerOrigin(template);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? FETCH_LIMITS.timeoutMs);
  const base = {
    trustedOrigin,
    signal: controller.signal,
    maxBytes: options.maxBytes,
    resolve: options.resolve,
  };
  try {
    const first = await guardedGet(providerUrl(template, profile), {
      ...base,
      accept: 'image/*, application/json',
      accepts: (ct) => isAcceptedImageType(ct) || isJsonType(ct),
    });
    if (NO_SUCH_PHOTO.has(first.status)) return { kind: 'none', reason: 'not_found' };
    if (first.status !== 200)
      return { kind: 'failed', reason: 'provider_status', detail: String(first.status) };
    if (isAcceptedImageType(first.contentType)) {
      return { kind: 'image', bytes: first.body, contentType: String(first.contentType) };
    }
    if (first.body.length > JSON_MAX_BYTES) return { kind: 'failed', reason: 'json_too_large' };
    let imageUrl: unknown;
    try {
      imageUrl = (JSON.parse(first.body.toString('utf8')) as { image_url?: unknown })?.image_url;
    } catch {
      return { kind: 'failed', reason: 'json_invalid' };
    }
    if (typeof imageUrl !== 'string' || !imageUrl) return { kind: 'none', reason: 'json_no_image_url' };
    const img = await guardedGet(imageUrl, {
      ...base,
      // a relative image_url resolves against the provider URL it came from
      base: first.url.href,
      accept: 'image/*',
      accepts: isAcceptedImageType,
    });
    if (NO_SUCH_PHOTO.has(img.status)) return { kind: 'none', reason: 'image_not_found' };
    if (img.status !== 200) return { kind: 'failed', reason: 'image_status', detail: String(img.status) };
    return { kind: 'image', bytes: img.body, contentType: String(img.contentType) };
  } catch (e) {
    if (e instanceof FetchRefused) return { kind: 'failed', reason: e.reason, detail: e.message };
    return {
      kind: 'failed',
      reason: controller.signal.aborted ? 'timeout' : 'error',
      detail: (e as Error)?.message,
    };
  } finally {
    clearTimeout(timer);
  }
}
