// biome-ignore-all lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
/**
 * Custom domains and DNS: the stack outputs what DNS must point at (the API's regional domain and
 * its zone, the distribution's domain) and, given hostedZoneId + hostedZoneName, creates the
 * A and AAAA alias records itself. Synthesised without bundling (the template does not depend on it).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import type { AvtrzStack } from '../../lib/avtrz-stack';
import type { ContextKey } from '../../lib/context';

const DOMAINS: Partial<Record<ContextKey, string>> = {
  apiDomainName: 'api.avatars.example.com',
  apiCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  cdnDomainName: 'img.avatars.example.com',
  cdnCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000',
};
const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'avatars.example.com' };
/** CloudFront's alias zone in the aws partition (route53-targets maps it per partition). */
const CLOUDFRONT_ZONE = 'Z2FDTNDATAQYW2';

function synth(context: Partial<Record<ContextKey, string>>) {
  const app = new App({ context: { stage: 'prod', ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, { account: '123456789012', region: 'eu-west-1' });
  app.synth(); // cdk-nag runs here and throws on an unacknowledged finding
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as any };
}
const idOf = (stack: AvtrzStack, c: { node: { defaultChild?: unknown } }) =>
  stack.resolve((c.node.defaultChild as { logicalId: string }).logicalId) as string;
const records = (json: any) =>
  Object.values(json.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::Route53::RecordSet');

describe('with a hosted zone', () => {
  const s = synth({ ...DOMAINS, ...ZONE });
  const apiDomainId = idOf(s.stack, s.stack.api.domainName as any);
  const distId = idOf(s.stack, s.stack.cdn.distribution);

  it('points A and AAAA of the API domain at its regional endpoint', () => {
    const api = records(s.json).filter((r) => r.Properties.Name === 'api.avatars.example.com.');
    expect(api.map((r) => r.Properties.Type).sort()).toEqual(['A', 'AAAA']);
    for (const r of api) {
      expect(r.Properties).toEqual({
        Name: 'api.avatars.example.com.',
        Type: r.Properties.Type,
        HostedZoneId: ZONE.hostedZoneId,
        AliasTarget: {
          DNSName: { 'Fn::GetAtt': [apiDomainId, 'RegionalDomainName'] },
          HostedZoneId: { 'Fn::GetAtt': [apiDomainId, 'RegionalHostedZoneId'] },
        },
      });
    }
  });

  it('makes the API domain dual-stack, so its AAAA record answers', () => {
    const d = s.json.Resources[apiDomainId].Properties;
    expect(d.DomainNameConfigurations).toEqual([expect.objectContaining({ IpAddressType: 'dualstack' })]);
  });

  it('points A and AAAA of the CDN domain at the distribution (IPv6 on)', () => {
    const cdn = records(s.json).filter((r) => r.Properties.Name === 'img.avatars.example.com.');
    expect(cdn.map((r) => r.Properties.Type).sort()).toEqual(['A', 'AAAA']);
    const partitionZone = s.stack.resolve(s.json.Mappings.AWSCloudFrontPartitionHostedZoneIdMap.aws.zoneId);
    expect(partitionZone).toBe(CLOUDFRONT_ZONE);
    for (const r of cdn) {
      expect(r.Properties.HostedZoneId).toBe(ZONE.hostedZoneId);
      expect(r.Properties.AliasTarget.DNSName).toEqual({ 'Fn::GetAtt': [distId, 'DomainName'] });
      expect(r.Properties.AliasTarget.HostedZoneId).toEqual({
        'Fn::FindInMap': ['AWSCloudFrontPartitionHostedZoneIdMap', { Ref: 'AWS::Partition' }, 'zoneId'],
      });
    }
    expect(s.json.Resources[distId].Properties.DistributionConfig.IPV6Enabled).toBe(true);
  });

  it('creates exactly those four records and no hosted zone (the zone is imported)', () => {
    expect(records(s.json)).toHaveLength(4);
    s.template.resourceCountIs('AWS::Route53::HostedZone', 0);
  });

  it('outputs the DNS targets', () => {
    const o = s.json.Outputs;
    expect(o.ApiRegionalDomainName.Value).toEqual({ 'Fn::GetAtt': [apiDomainId, 'RegionalDomainName'] });
    expect(o.ApiRegionalHostedZoneId.Value).toEqual({ 'Fn::GetAtt': [apiDomainId, 'RegionalHostedZoneId'] });
    expect(o.CdnDistributionDomainName.Value).toEqual({ 'Fn::GetAtt': [distId, 'DomainName'] });
  });
});

describe('with only the CDN domain in the zone', () => {
  it('creates only the CDN records and no API outputs', () => {
    const { apiDomainName, apiCertificateArn, ...cdnOnly } = DOMAINS;
    const s = synth({ ...cdnOnly, ...ZONE });
    expect(
      records(s.json)
        .map((r) => `${r.Properties.Name} ${r.Properties.Type}`)
        .sort(),
    ).toEqual(['img.avatars.example.com. A', 'img.avatars.example.com. AAAA']);
    expect(s.json.Outputs.ApiRegionalDomainName).toBeUndefined();
    expect(s.json.Outputs.CdnDistributionDomainName).toBeDefined();
  });
});

describe('without a hosted zone', () => {
  it('creates no record but outputs the targets the operator points DNS at', () => {
    const s = synth(DOMAINS);
    expect(records(s.json)).toEqual([]);
    const apiDomainId = idOf(s.stack, s.stack.api.domainName as any);
    expect(s.json.Outputs.ApiRegionalDomainName.Value).toEqual({
      'Fn::GetAtt': [apiDomainId, 'RegionalDomainName'],
    });
    expect(s.json.Outputs.ApiRegionalHostedZoneId).toBeDefined();
    expect(s.json.Outputs.CdnDistributionDomainName.Value).toEqual({
      'Fn::GetAtt': [idOf(s.stack, s.stack.cdn.distribution), 'DomainName'],
    });
  });

  it('without custom domains still outputs the distribution domain, and nothing for the API', () => {
    const s = synth({});
    expect(s.stack.api.domainName).toBeUndefined();
    expect(s.json.Outputs.ApiRegionalDomainName).toBeUndefined();
    expect(s.json.Outputs.ApiRegionalHostedZoneId).toBeUndefined();
    expect(s.json.Outputs.CdnDistributionDomainName.Value).toEqual({
      'Fn::GetAtt': [idOf(s.stack, s.stack.cdn.distribution), 'DomainName'],
    });
  });
});
