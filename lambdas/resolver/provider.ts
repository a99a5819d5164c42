/**
 * The photo provider protocol (ARCHITECTURE.md "Photo source"): GET the operator's template URL
 * with `{profile}` filled in; the provider answers an image (use it), JSON `{"image_url"}` (fetch
 * that, every hop checked) or 404 (no photo). Every other outcome, including any refusal by the
 * fetch policy, is "no photo" with a reason for the log: the caller falls back to initials.
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
  | { kind: 'none'; reason: string; detail?: string };

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
    if (first.status === 404) return { kind: 'none', reason: 'not_found' };
    if (first.status !== 200)
      return { kind: 'none', reason: 'provider_status', detail: String(first.status) };
    if (isAcceptedImageType(first.contentType)) {
      return { kind: 'image', bytes: first.body, contentType: String(first.contentType) };
    }
    if (first.body.length > JSON_MAX_BYTES) return { kind: 'none', reason: 'json_too_large' };
    let imageUrl: unknown;
    try {
      imageUrl = (JSON.parse(first.body.toString('utf8')) as { image_url?: unknown })?.image_url;
    } catch {
      return { kind: 'none', reason: 'json_invalid' };
    }
    if (typeof imageUrl !== 'string' || !imageUrl) return { kind: 'none', reason: 'json_no_image_url' };
    const img = await guardedGet(imageUrl, {
      ...base,
      // a relative image_url resolves against the provider URL it came from
      base: first.url.href,
      accept: 'image/*',
      accepts: isAcceptedImageType,
    });
    if (img.status !== 200) return { kind: 'none', reason: 'image_status', detail: String(img.status) };
    return { kind: 'image', bytes: img.body, contentType: String(img.contentType) };
  } catch (e) {
    if (e instanceof FetchRefused) return { kind: 'none', reason: e.reason, detail: e.message };
    return {
      kind: 'none',
      reason: controller.signal.aborted ? 'timeout' : 'error',
      detail: (e as Error)?.message,
    };
  } finally {
    clearTimeout(timer);
  }
}
