/**
 * The deployment's HMAC secret for object ids: AVTRZ_HMAC_SECRET (local/tests) or, in AWS,
 * fetched once per runtime from Secrets Manager (AVTRZ_HMAC_SECRET_ARN; SDK imported lazily).
 * A failed fetch is not kept: the next request tries again.
 */
import type { Clients } from './clients';
import { type Config, ConfigError } from './config';

export function hmacSecretLoader(config: () => Config, clients: Clients): () => Promise<string> {
  let pending: Promise<string> | undefined;
  const load = async (): Promise<string> => {
    const c = config();
    if (c.hmacSecret) return c.hmacSecret;
    if (!c.hmacSecretArn) {
      throw new ConfigError(
        'Missing required environment variable AVTRZ_HMAC_SECRET or AVTRZ_HMAC_SECRET_ARN',
      );
    }
    const { client, GetSecretValueCommand } = await clients.secrets();
    const out = await client.send(new GetSecretValueCommand({ SecretId: c.hmacSecretArn }));
    const s = out.SecretString;
    if (!s || s.length < 16) throw new Error('HMAC secret is missing or too short');
    return s;
  };
  return () => {
    if (!pending) {
      pending = load().catch((e) => {
        pending = undefined;
        throw e;
      });
    }
    return pending;
  };
}
