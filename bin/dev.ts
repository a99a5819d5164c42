/**
 * `npm run dev`: the whole avtrz stack on this machine, no AWS account (spec section 9).
 * DynamoDB Local + s3rver (data in AVTRZ_DATA_DIR, default .avtrz/), the API on PORT (3000),
 * the CDN stand-in on CDN_PORT (3001), a demo workspace and keys, the `avtrz ready` banner.
 * Ctrl-C / SIGTERM stops every child process (DynamoDB Local is a Java process).
 */
import { readFileSync } from 'node:fs';
import { DEMO_PROFILE, demoImgTag } from '../lib/local/demo-page';
import { MEMBER_EMAIL, OPERATOR_EMAIL } from '../lib/local/oidc';
import { DEMO_ALLOWED_DOMAINS } from '../lib/local/seed';
import { killChildrenSync, PortInUseError } from '../lib/local/services';
import { type LocalStack, startLocalStack } from '../lib/local/stack';

// the SDK's notice about Node 20 is noise here: Lambda runs nodejs22.x, the local stack supports Node >= 20
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** handler settings `npm run dev` passes on from its own environment */
const TUNABLES = [
  'AVTRZ_KEY_CACHE_SECONDS',
  'AVTRZ_REFRESH_DAYS',
  'AVTRZ_MISS_RECHECK_HOURS',
  'AVTRZ_LOG_LEVEL',
];

function portVar(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) {
    fail(`${name} must be a port number (1-65535), got "${raw}"`);
  }
  return n;
}

/** Parent and (Linux: via /proc) grandparent process ids; init (1) is never watched. */
function ancestors(): number[] {
  const out = [process.ppid];
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    out.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  } catch {
    // no /proc (macOS): the parent alone
  }
  return out.filter((pid) => Number.isInteger(pid) && pid > 1);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fail(message: string): never {
  process.stderr.write(`avtrz: ${message}\n`);
  killChildrenSync();
  process.exit(1);
}

async function main(): Promise<void> {
  const port = portVar('PORT', 3000);
  const cdnPort = portVar('CDN_PORT', 3001);
  if (port === cdnPort) fail(`PORT and CDN_PORT must differ (both are ${port})`);

  let stack: LocalStack | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\navtrz: ${signal}, stopping…\n`);
    const done = () => {
      killChildrenSync();
      process.exit(0);
    };
    // still starting: the exit hook takes the children down
    if (!stack) return done();
    stack.stop().then(done, done);
    setTimeout(done, 5000).unref();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
  process.on('exit', killChildrenSync);
  // `npm run dev` is npm -> sh -> tsx -> this process. When SIGTERM reaches only npm, sh dies
  // without passing it on and tsx lingers: watch the parent and the grandparent, and stop with them.
  const watched = ancestors();
  setInterval(() => {
    if (watched.some((pid) => !running(pid))) shutdown('parent process exited');
  }, 500).unref();

  try {
    stack = await startLocalStack({
      port,
      cdnPort,
      dataDir: process.env.AVTRZ_DATA_DIR || '.avtrz',
      adminToken: process.env.AVTRZ_ADMIN_TOKEN || undefined,
      hmacSecret: process.env.AVTRZ_HMAC_SECRET || undefined,
      upstreamUrl: process.env.AVTRZ_UPSTREAM_URL || undefined,
      // the handlers' tunables, when the shell sets them
      env: Object.fromEntries(
        TUNABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])),
      ),
    });
  } catch (e) {
    if (e instanceof PortInUseError) fail(e.message);
    fail(`could not start: ${(e as Error)?.message ?? e}`);
  }
  if (stopping) return;

  const s = stack;
  const secs = process.uptime().toFixed(1);
  const lines = [
    `avtrz ready ${s.apiUrl} (CDN ${s.cdnUrl}, ${secs} s)`,
    '',
    `  admin token       ${s.adminToken}`,
    `  publishable key   ${s.demo.publishableKey}   (allowed: ${DEMO_ALLOWED_DOMAINS.join(', ')})`,
    `  secret key        ${s.demo.secretKey}`,
    `  workspace         ${s.demo.workspaceId}`,
    `  data dir          ${s.dataDir}`,
    `  photo provider    ${process.env.AVTRZ_UPSTREAM_URL || 'none (initials for everyone; set AVTRZ_UPSTREAM_URL)'}`,
    '',
    `  demo page         ${s.apiUrl}/`,
    `  console           ${s.consoleUrl}   (sign in as ${OPERATOR_EMAIL} or ${MEMBER_EMAIL})`,
    `  <img> tag         ${demoImgTag(s.apiUrl, s.demo.publishableKey)}`,
    `  from a server     curl -i "${s.apiUrl}/v1/avatar?linkedin_url=${DEMO_PROFILE}&size=256" -H "x-api-key: ${s.demo.secretKey}"`,
    `  admin API         curl -i ${s.apiUrl}/v1/admin/workspaces/${s.demo.workspaceId} -H "Authorization: Bearer ${s.adminToken}"`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((e) => fail(String((e as Error)?.stack ?? e)));
