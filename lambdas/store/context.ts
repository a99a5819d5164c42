/**
 * What every store function is handed: the runtime's clients, the table and bucket names (read
 * when first needed: a function without a bucket never asks for one), its clock and the avatar
 * record cache. One runtime builds one context (runtime/index.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AvatarRecord } from '../core/records';
import type { TtlCache } from '../core/ttl-cache';

export interface StoreContext {
  dynamo(): DynamoDBDocumentClient;
  s3(): Promise<S3Client>;
  readonly tableName: string;
  readonly bucketName: string;
  now(): Date;
  /** known avatar records, so the warm hot path for a known profile needs no read */
  avatarCache: TtlCache<AvatarRecord>;
  /** `<workspace>#<profile id>` pairs known to be looked up (store/lookups.ts) */
  lookups: TtlCache<true>;
}
