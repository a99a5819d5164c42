/**
 * Where the local stack's handler environment differs from the deployed template's: the ONE list.
 * test/deployed/local-environment.test.ts compares `startLocalStack().env` with the environment of
 * every function in a fresh `cdk synth`, and fails on any difference that is not written here (and
 * on an entry here that is no longer a difference).
 *
 * Variables both sides set with their own values (AVTRZ_TABLE, AVTRZ_BUCKET, AVTRZ_CDN_URL,
 * AVTRZ_RESOLVER_FUNCTION, AVTRZ_UPSTREAM_URL) are not differences: they name the local parts
 * instead of the deployed ones, i.e. where the clients point.
 *
 * One difference is of shape, not of names: the local stack runs every handler in one process, so
 * each sees the union of the variables, while in AWS each function has only what its route's
 * access needs (the admin functions have no bucket, the fallback no table). The deployed-shape
 * tier (test/deployed) is what proves each function works with only its own.
 */
export interface EnvironmentDifference {
  name: string;
  /** which side sets it */
  only: 'local' | 'deployed';
  why: string;
}

export const LOCAL_ENVIRONMENT_DIFFERENCES: readonly EnvironmentDifference[] = [
  {
    name: 'AWS_REGION',
    only: 'local',
    why: 'Lambda sets it in every execution environment; the local stack must set it itself.',
  },
  {
    name: 'AWS_ACCESS_KEY_ID',
    only: 'local',
    why: "Lambda hands each function its role's session; locally DynamoDB Local and s3rver take fixed keys.",
  },
  { name: 'AWS_SECRET_ACCESS_KEY', only: 'local', why: 'As AWS_ACCESS_KEY_ID.' },
  { name: 'AWS_ENDPOINT_URL_DYNAMODB', only: 'local', why: 'The DynamoDB client points at DynamoDB Local.' },
  { name: 'AWS_ENDPOINT_URL_S3', only: 'local', why: 'The S3 client points at s3rver.' },
  {
    name: 'AWS_ENDPOINT_URL_LAMBDA',
    only: 'local',
    why: "The Lambda client (avatar/batch → resolver) points at the local gateway's Invoke API.",
  },
  {
    name: 'AVTRZ_HMAC_SECRET',
    only: 'local',
    why: 'There is no Secrets Manager locally: the secret is generated once and kept in .avtrz/demo.json.',
  },
  {
    name: 'AVTRZ_HMAC_SECRET_ARN',
    only: 'deployed',
    why: 'In AWS the object-naming secret is read from Secrets Manager (AVTRZ_HMAC_SECRET locally).',
  },
  {
    name: 'NODE_OPTIONS',
    only: 'deployed',
    why: '--enable-source-maps for the minified bundles; locally tsx runs the TypeScript sources with their own maps.',
  },
  {
    name: 'AVTRZ_STAGE',
    only: 'deployed',
    why: 'The stage name is a deploy-time context; unset, the config says "dev", which is what the local stack is.',
  },
  {
    name: 'AVTRZ_KEY_CACHE_SECONDS',
    only: 'deployed',
    why: 'A deploy-time option (default 30); the local stack uses the same default by leaving it unset.',
  },
];
