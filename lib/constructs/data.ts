/**
 * Stateful resources: the single table, the private avatar bucket and the bucket their access
 * logs go to. Kept apart from the stateless functions and API so their removal policies are
 * decided in one place: `prod` retains everything and protects the table from deletion; `dev`
 * may be torn down completely.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE_KEYS, TTL_ATTR } from '../../lambdas/store/schema';
import type { Stage } from '../context';

export interface DataProps {
  stage: Stage;
}

export class Data extends Construct {
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  /** S3 server access logs (prefix `s3/`) and CloudFront standard logs (prefix `cdn/`, when on). */
  readonly logsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const prod = props.stage === 'prod';
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // closed 5-minute counter buckets expire 49 h after their window (store/usage-counter.ts)
      timeToLiveAttribute: TTL_ATTR,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: prod,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi1.indexName,
      partitionKey: { name: TABLE_KEYS.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    // In dev, DESTROY alone would make `cdk destroy` fail on a non-empty bucket, so dev also
    // empties the buckets on delete (a CDK-provided custom resource). prod never does.
    const bucketDefaults: s3.BucketProps = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      removalPolicy,
      autoDeleteObjects: !prod,
    };

    this.logsBucket = new s3.Bucket(this, 'LogsBucket', {
      ...bucketDefaults,
      // CloudFront standard logging writes with ACLs; it needs ACLs enabled on its target bucket.
      // So does S3 server access logging as CDK sets it up here (the LogDeliveryWrite ACL), so
      // ACLs stay enabled even where CloudFront logging is off (cdnLogging).
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(prod ? 365 : 30) }],
    });
    Validations.of(this.logsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log destination for the avatar bucket and (when cdnLogging is on) the CloudFront distribution; logging it into itself would create a feedback loop, and a second log bucket would need the same exception.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...bucketDefaults,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 's3/',
    });
  }
}
