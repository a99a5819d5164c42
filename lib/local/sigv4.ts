/**
 * AWS Signature Version 4, checked as AWS checks it: the signature is recomputed with the secret
 * of the access key it names and compared. The local gateway's Lambda Invoke API uses it (the
 * handlers' Lambda client signs with the local credentials), and so does the deployed-shape
 * tier's IAM authorizer stand-in (test/deployed/support/aws-standins.ts).
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 5 * 60_000;

export type SigV4Verdict = { ok: true; accessKeyId: string } | { ok: false; message: string };

/**
 * Recompute the request's signature with the secret of its access key and compare, as AWS does:
 * the credential scope must name `service` and `region`, the date must be within 5 minutes, and
 * every header the signature covers must be the one received.
 */
export async function verifySigV4(
  req: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer },
  expect: { service: string; region: string; credentials: readonly Credentials[]; now?: Date },
): Promise<SigV4Verdict> {
  const auth = String(req.headers.authorization ?? '');
  if (!auth) return { ok: false, message: 'Missing Authentication Token' };
  const m = AUTH.exec(auth);
  if (!m) return { ok: false, message: 'Authorization header is not a SigV4 signature' };
  const [, akid, day, region, service, signedHeaders, signature] = m;
  const creds = expect.credentials.find((c) => c.accessKeyId === akid);
  if (!creds) return { ok: false, message: 'The security token included in the request is invalid.' };
  if (service !== expect.service || region !== expect.region) {
    return { ok: false, message: `Credential should be scoped to ${expect.region}/${expect.service}` };
  }
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const at = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!at || amzDate.slice(0, 8) !== day) return { ok: false, message: 'Bad or missing X-Amz-Date' };
  const when = new Date(Date.UTC(+at[1], +at[2] - 1, +at[3], +at[4], +at[5], +at[6]));
  if (Math.abs((expect.now ?? new Date()).getTime() - when.getTime()) > MAX_SKEW_MS) {
    return { ok: false, message: 'Signature expired' };
  }
  // the signer takes a signed x-amz-content-sha256 as the payload's hash: it must be the body's,
  // or a signed request could carry any other body
  const declared = req.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== createHash('sha256').update(req.body).digest('hex')) {
    return {
      ok: false,
      message: 'The provided x-amz-content-sha256 header does not match what was computed.',
    };
  }
  const names = signedHeaders.split(';');
  const headers: Record<string, string> = {};
  for (const n of names) {
    const v = req.headers[n];
    if (v === undefined) return { ok: false, message: `Signed header ${n} is missing` };
    headers[n] = Array.isArray(v) ? v.join(',') : v;
  }
  const u = new URL(req.url, 'http://placeholder');
  const query: Record<string, string | string[]> = {};
  u.searchParams.forEach((v, k) => {
    const prev = query[k];
    query[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  });
  const signer = new SignatureV4({ service, region, credentials: creds, sha256: Sha256 });
  const expected = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: String(req.headers.host ?? '').replace(/:\d+$/, ''),
      path: req.url.split('?')[0],
      query,
      headers,
      body: req.body.length ? req.body : undefined,
    },
    { signingDate: when, signableHeaders: new Set(names) },
  );
  const got = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1];
  if (got !== signature) {
    return {
      ok: false,
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return { ok: true, accessKeyId: akid };
}
