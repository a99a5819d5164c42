/** Read back what the photo pipeline stored in the local bucket (s3rver). */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CDN } from './avatar-fixtures';
import { config, s3Client } from './runtime';

export interface StoredObject {
  body: Buffer;
  contentType: string | undefined;
  cacheControl: string | undefined;
}

/** The object at `key`: its bytes, Content-Type and Cache-Control. */
export async function storedObject(key: string): Promise<StoredObject> {
  const out = await (await s3Client()).send(new GetObjectCommand({ Bucket: config().bucketName, Key: key }));
  const body = Buffer.from(
    await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  return { body, contentType: out.ContentType, cacheControl: out.CacheControl };
}

/** The object behind a returned URL, which must be a CDN object URL (`<CDN>/a/…`). */
export async function objectBehind(url: string): Promise<StoredObject> {
  expect(url.startsWith(`${CDN}/a/`)).toBe(true);
  return storedObject(url.slice(CDN.length + 1));
}
