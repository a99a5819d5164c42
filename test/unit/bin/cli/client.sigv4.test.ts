/**
 * The CLI signs admin requests with SigV4 (service execute-api) when given --region, using the
 * default credential chain (here: static fake credentials from the environment). A 127.0.0.1
 * server captures the request; the signature is recomputed independently and must match.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { runCli } from '../../../support/cli-runner';

const FAKE = {
  accessKeyId: 'AKIDEXAMPLEFAKE00001',
  secretAccessKey: 'fake/secret/for/tests/only/0000000000000',
};

interface Captured {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('CLI SigV4 signing (--region)', () => {
  let server: http.Server;
  let port: number;
  const captured: Captured[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'ws_AAAAAAAAAAAAAAAA',
            name: 'Acme',
            monthly_quota: 10,
            created_at: '2026-11-28T00:00:00Z',
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends an AWS4-HMAC-SHA256 Authorization with the execute-api credential scope, verifiable', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_ACCESS_KEY_ID: FAKE.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE.secretAccessKey,
      AWS_CONFIG_FILE: '/nonexistent/avtrz-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/avtrz-credentials',
      AVTRZ_ADMIN_TOKEN: 'must-not-be-sent-when-signing',
    };
    const r = await runCli(
      [
        'workspaces',
        'create',
        '--name',
        'Acme',
        '--quota',
        '10',
        '--region',
        'eu-west-1',
        '--endpoint',
        `http://127.0.0.1:${port}/`,
        '--json',
      ],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'ws_AAAAAAAAAAAAAAAA' });
    expect(captured).toHaveLength(1);
    const req = captured[0];
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/admin/workspaces');
    expect(JSON.parse(req.body)).toEqual({ name: 'Acme', monthly_quota: 10 });
    const auth = String(req.headers.authorization);
    const amzDate = String(req.headers['x-amz-date']);
    expect(amzDate).toMatch(/^\d{8}T\d{6}Z$/);
    const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
    expect(m).not.toBeNull();
    const [, credential, signedHeaders, signature] = m as RegExpExecArray;
    expect(credential).toBe(`${FAKE.accessKeyId}/${amzDate.slice(0, 8)}/eu-west-1/execute-api/aws4_request`);
    expect(signedHeaders.split(';')).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
    // with --region the bearer admin token is not sent at all
    expect(JSON.stringify(req.headers)).not.toContain(env.AVTRZ_ADMIN_TOKEN);

    // recompute the signature over what the server received, with the same date
    const headers: Record<string, string> = {};
    for (const h of signedHeaders.split(';')) headers[h] = String(req.headers[h]);
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const signWith = async (secretAccessKey: string) => {
      const signer = new SignatureV4({
        service: 'execute-api',
        region: 'eu-west-1',
        credentials: { ...FAKE, secretAccessKey },
        sha256: Sha256,
      });
      const signed = await signer.sign(
        {
          method: req.method,
          protocol: 'http:',
          hostname: '127.0.0.1',
          port,
          path: req.url,
          query: {},
          headers,
          body: req.body,
        },
        { signingDate },
      );
      return String(signed.headers.authorization);
    };
    expect(await signWith(FAKE.secretAccessKey)).toContain(`Signature=${signature}`);
    // a different secret, same request and date, would not produce it
    expect(await signWith('other')).not.toContain(signature);
  });

  it('without --region sends the admin token as a bearer token', async () => {
    captured.length = 0;
    const r = await runCli(
      ['workspaces', 'get', '--workspace', 'ws_AAAAAAAAAAAAAAAA', '--endpoint', `http://127.0.0.1:${port}`],
      {
        PATH: process.env.PATH ?? '',
        AVTRZ_ADMIN_TOKEN: 'local-admin-token-123',
      },
    );
    expect(r.code).toBe(0);
    expect(captured[0].method).toBe('GET');
    expect(captured[0].url).toBe('/v1/admin/workspaces/ws_AAAAAAAAAAAAAAAA');
    expect(captured[0].headers.authorization).toBe('Bearer local-admin-token-123');
    expect(r.stdout).toContain('ws_AAAAAAAAAAAAAAAA');
  });
});
