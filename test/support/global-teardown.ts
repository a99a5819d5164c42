import { rmSync } from 'node:fs';
import type { DynamoHandle, S3Handle } from '../../lib/local/services';

export default async function globalTeardown(): Promise<void> {
  const s = (globalThis as Record<string, unknown>).__AVTRZ_SERVICES__ as
    | { dynamo: DynamoHandle; s3: S3Handle; s3dir: string }
    | undefined;
  if (!s) return;
  await Promise.all([s.dynamo.stop(), s.s3.stop()]);
  rmSync(s.s3dir, { recursive: true, force: true });
}
