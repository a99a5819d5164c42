/**
 * The deployment's HMAC secret for object ids: AVTRZ_HMAC_SECRET (local/tests) or, in AWS,
 * fetched once per container from Secrets Manager (AVTRZ_HMAC_SECRET_ARN; SDK imported lazily).
 * The fetch goes through the ONE client module, so it has the same per-attempt bounds and ends
 * at the request's deadline; a failed fetch is retried by the next request.
 */
import { secretsManager } from './clients';
import { ConfigError, config } from './config';

let pending: Promise<string> | undefined;

export function hmacSecret(): Promise<string> {
  if (!pending) {
    pending = load().catch((e) => {
      pending = undefined; // retry on the next request
      throw e;
    });
  }
  return pending;
}

async function load(): Promise<string> {
  const c = config();
  if (c.hmacSecret) return c.hmacSecret;
  if (!c.hmacSecretArn) {
    throw new ConfigError('Missing required environment variable AVTRZ_HMAC_SECRET or AVTRZ_HMAC_SECRET_ARN');
  }
  const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const out = await (await secretsManager()).send(new GetSecretValueCommand({ SecretId: c.hmacSecretArn }));
  const s = out.SecretString;
  if (!s || s.length < 16) throw new Error('HMAC secret is missing or too short');
  return s;
}

/** Tests: forget the loaded secret. */
export function resetHmacSecret(): void {
  pending = undefined;
}
