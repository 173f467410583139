import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { parseDeploymentConfig } from '#infra/config.ts';

const hsmContext = {
  hsm: 'cloudhsm',
  hsmClusterId: 'cluster-igklspoyj5v',
  hsmIpAddresses: '10.0.1.10,10.0.2.10',
  hsmVpcId: 'vpc-0a1b2c3d4e5f60718',
  hsmSubnetIds: 'subnet-0a1b2c3d4e5f60718,subnet-0b1b2c3d4e5f60718',
  hsmSecurityGroupId: 'sg-0c1b2c3d4e5f60718',
  hsmPinSecretName: 'edoc-hub/cloudhsm-crypto-user',
  hsmRouteTableIds: 'rtb-0a1b2c3d4e5f60718',
  hsmLayerArn: 'arn:aws:lambda:ap-southeast-1:111122223333:layer:cloudhsm-pkcs11:3',
};

function synth(extra: Record<string, string> = {}) {
  const app = new App({ context: { stage: 'hsm', 'aws:cdk:bundling-stacks': [], ...extra } });
  const { stateless } = buildApp(app);
  return { app, stack: stateless, template: Template.fromStack(stateless) };
}

/** The countersign function and the statements of its role's policy. */
function countersign(template: Template) {
  const [[id, fn] = []] = Object.entries(
    template.findResources('AWS::Lambda::Function', {
      Properties: {
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'countersign-document' } },
      },
    }),
  );
  expect(id).toBeDefined();
  const roleId: string = fn?.Properties.Role['Fn::GetAtt'][0];
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
  return { fn, statements: statements as { Action: string | string[]; Resource: unknown }[] };
}

const actionsOf = (statement: { Action: string | string[] }) => [statement.Action].flat();

let hsmOn: ReturnType<typeof synth>;

beforeAll(() => {
  hsmOn = synth(hsmContext);
});

describe('CloudHSM path (hsm=cloudhsm)', () => {
  it('is off by default: no function runs in a VPC and countersign signs with KMS', () => {
    const { template } = synth();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.VpcConfig).toBeUndefined();
    }
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    const { statements } = countersign(template);
    expect(statements.some((s) => actionsOf(s).includes('kms:Sign'))).toBe(true);
  });

  it("runs the countersign function in the cluster's subnets with its own security group", () => {
    const { template } = hsmOn;
    const { fn } = countersign(template);
    const [groupId] = Object.keys(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { VpcId: 'vpc-0a1b2c3d4e5f60718' },
      }),
    );
    expect(fn?.Properties.VpcConfig).toEqual({
      SubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b1b2c3d4e5f60718'],
      SecurityGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }],
    });
    // The CloudHSM client layer, and the Parameters and Secrets extension that serves the PIN.
    expect(fn?.Properties.Layers).toEqual([
      { 'Fn::FindInMap': ['ParamsandsecretslayerMap', { Ref: 'AWS::Region' }, expect.any(String)] },
      hsmContext.hsmLayerArn,
    ]);
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      PKCS11_MODULE: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
      HSM_CLUSTER_ID: 'cluster-igklspoyj5v',
      HSM_IP_ADDRESSES: '10.0.1.10,10.0.2.10',
      HSM_PIN_SECRET_ID: 'edoc-hub/cloudhsm-crypto-user',
    });
    const others = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f !== fn,
    );
    expect(others.length).toBeGreaterThan(0);
    for (const other of others) expect(other.Properties.VpcConfig).toBeUndefined();
  });

  it("opens TCP 2223-2225 from the function's group to the cluster's, and nothing else to it", () => {
    const { template } = hsmOn;
    const [groupId] = Object.keys(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { VpcId: 'vpc-0a1b2c3d4e5f60718' },
      }),
    );
    const [group] = Object.values(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { VpcId: 'vpc-0a1b2c3d4e5f60718' },
      }),
    );
    expect(group?.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({
        CidrIp: '0.0.0.0/0',
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
      }),
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] },
      DestinationSecurityGroupId: 'sg-0c1b2c3d4e5f60718',
      IpProtocol: 'tcp',
      FromPort: 2223,
      ToPort: 2225,
    });
    const toCluster = Object.values(
      template.findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: { GroupId: 'sg-0c1b2c3d4e5f60718' },
      }),
    );
    expect(toCluster.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        SourceSecurityGroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 2223,
        ToPort: 2225,
      }),
    ]);
  });

  it('grants read of the PIN secret only, and no kms:Sign to the countersign role', () => {
    const { template } = hsmOn;
    const { statements } = countersign(template);
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:Sign'))).toEqual([]);
    const secretStatements = statements.filter((s) =>
      actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements).toEqual([
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':secretsmanager:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':secret:edoc-hub/cloudhsm-crypto-user-??????',
            ],
          ],
        },
      }),
    ]);
    // No role of the stack may sign with an organization key any more.
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      const statements: { Action: string | string[]; Resource: unknown }[] =
        policy.Properties.PolicyDocument.Statement;
      const onOrganizationKeys = statements.filter((s) =>
        JSON.stringify(s.Resource).includes('OrganizationKey'),
      );
      expect(onOrganizationKeys.flatMap(actionsOf)).not.toContain('kms:Sign');
    }
  });

  it('creates S3 and DynamoDB gateway endpoints and SQS and Secrets Manager interface endpoints', () => {
    const { template } = hsmOn;
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map(
      (e) => e.Properties,
    );
    // `com.amazonaws.<region>.<service>`, region given as a reference.
    const service = (p: { ServiceName: unknown }) =>
      JSON.stringify(p.ServiceName).match(/\.([a-z0-9]+)"(?:\]\]\})?$/)?.[1];
    expect(endpoints.map((p) => [service(p), p.VpcEndpointType]).sort()).toEqual([
      ['dynamodb', 'Gateway'],
      ['s3', 'Gateway'],
      ['secretsmanager', 'Interface'],
      ['sqs', 'Interface'],
    ]);
    for (const p of endpoints.filter((e) => e.VpcEndpointType === 'Gateway')) {
      expect(p.RouteTableIds).toEqual(['rtb-0a1b2c3d4e5f60718']);
    }
    for (const p of endpoints.filter((e) => e.VpcEndpointType === 'Interface')) {
      expect(p).toMatchObject({
        PrivateDnsEnabled: true,
        SubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b1b2c3d4e5f60718'],
      });
    }
  });

  it('creates no endpoint with hsmEndpoints=existing, and needs route tables otherwise', () => {
    const { hsmRouteTableIds: _, ...withoutRoutes } = hsmContext;
    const { template } = synth({ ...withoutRoutes, hsmEndpoints: 'existing' });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
    });
    expect(() => synth(withoutRoutes)).toThrow(/hsmRouteTableIds is required/);
  });

  it('refuses malformed context values at synth', () => {
    const parse = (extra: Record<string, string>) =>
      parseDeploymentConfig({ stage: 'hsm', ...hsmContext, ...extra });
    expect(parse({}).hsm?.subnetIds).toHaveLength(2);
    expect(() => parse({ hsm: 'softhsm' })).toThrow();
    expect(() => parse({ hsmSecurityGroupId: 'default' })).toThrow();
    expect(() => parse({ hsmIpAddresses: '10.0.1' })).toThrow();
    expect(() => parse({ hsmSubnetIds: '' })).toThrow();
    expect(parseDeploymentConfig({ stage: 'hsm', hsm: 'none' }).hsm).toBeUndefined();
  });

  it('passes cdk-nag AwsSolutions with the HSM on, every acknowledgement justified', () => {
    const { app } = synth(hsmContext);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
