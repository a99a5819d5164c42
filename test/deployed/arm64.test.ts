/**
 * The resolver as Lambda runs it on arm64: its synthesized bundle on Node 22 for linux-arm64
 * (under qemu-user, with Debian's arm64 glibc as the sysroot), with the sharp layer's
 * nodejs/node_modules on NODE_PATH exactly as synthesized — no x64 binaries anywhere on the path —
 * fetching a real photo from the provider stand-in and resizing it into the bucket.
 * Skipped only where qemu-user-static is missing (.ci/run installs it).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { profileId } from '../../lambdas/core/hmac';
import { expectPhotoColour } from '../support/provider';
import { colorOf } from '../support/provider-standin';
import { type Deployment, deploy } from './support/deployment';
import { arm64Sysroot } from './support/function-host';
import { qemuAarch64 } from './support/lambda-node';

const canRun = Boolean(qemuAarch64() && arm64Sysroot());
const maybe = canRun ? describe : describe.skip;

maybe('the resolver on linux-arm64 with the synthesized sharp layer', () => {
  let d: Deployment;
  beforeAll(async () => {
    d = await deploy({ arch: 'arm64' });
  }, 240_000);
  afterAll(async () => {
    await d?.stop();
  });

  const resolver = () => {
    const spec = d.functions.find((f) => f.layers.length > 0);
    if (!spec) throw new Error('no function with a layer in the template');
    return d.hosts.get(spec.logicalId) as NonNullable<ReturnType<typeof d.hosts.get>>;
  };

  it('is the arm64 function of the template, started under qemu with the layer as synthesized', () => {
    const host = resolver();
    expect(host.spec.architecture).toBe('arm64');
    expect(host.command()[0]).toBe(qemuAarch64());
    const layerModules = path.join(host.spec.layers[0], 'nodejs', 'node_modules');
    expect(existsSync(path.join(layerModules, '@img', 'sharp-linux-arm64', 'package.json'))).toBe(true);
    expect(existsSync(path.join(layerModules, '@img', 'sharp-linux-x64'))).toBe(false);
    const nodePath = host.processEnv('127.0.0.1:1').NODE_PATH.split(':');
    expect(nodePath).toContain(layerModules);
    expect(nodePath.some((p) => p.includes('sharp-x64'))).toBe(false);
  });

  it('looks a profile up and stores a resized photo', async () => {
    const slug = 'arm64-photo';
    const profile = `linkedin.com/in/${slug}`;
    const id = profileId('arm64-test-secret-0123456789', profile);
    const out = await resolver().invoke({ op: 'lookup', id, profile, size: 64, format: 'png' });
    expect(out.error).toBeUndefined();
    const result = out.payload as { key: string; record: { kind: string } };
    expect(result.record.kind).toBe('photo');
    expect(result.key).toMatch(new RegExp(`^a/${id}/[0-9a-f]{12}/64\\.png$`));
    const bucket = [...d.environments.values()].find((e) => e.AVTRZ_BUCKET)?.AVTRZ_BUCKET;
    const obj = await d.s3().send(new GetObjectCommand({ Bucket: bucket, Key: result.key }));
    const img = Buffer.from(
      await (obj.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    const meta = await sharp(img).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
    await expectPhotoColour(img, colorOf(slug));
  }, 120_000);
});
