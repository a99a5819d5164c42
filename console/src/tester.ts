/**
 * "Would https://app.example.com be allowed?" — answered by the avatar function's own code
 * (lambdas/core/domains.ts, bundled in), as an <img> load from that page would send it: the
 * page's origin as Referer (and no Origin).
 */
import { domainVerdict, parseDomainEntry } from '../../lambdas/core/domains';

export type KeyType = 'publishable' | 'secret';
export type Verdict = { allowed: true } | { allowed: false; message: string };

export function wouldAllow(type: KeyType, allowed: readonly string[], pageUrl: string): Verdict {
  const v = domainVerdict(type, allowed, undefined, pageUrl.trim() || undefined);
  return v.allowed ? { allowed: true } : { allowed: false, message: v.error.message };
}

/** The entry is one the API accepts (same parser as the avatar function's matching). */
export const validEntry = (entry: string): boolean => parseDomainEntry(entry) !== undefined;
