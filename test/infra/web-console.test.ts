import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { WebConsole } from '#infra/constructs/web-console.ts';
import { parseConfig } from '../../web/src/config.ts';

let stateless: Template;
let stateful: Template;
let assemblyDirectory: string;

beforeAll(() => {
  // Bundling skipped: the console's vite build is exercised by the last tests only.
  const app = new App({ context: { stage: 'web', 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildApp(app);
  stateless = Template.fromStack(stacks.stateless);
  stateful = Template.fromStack(stacks.stateful);
  assemblyDirectory = app.synth().directory;
});

const distributionConfig = () => {
  const [distribution] = Object.values(stateless.findResources('AWS::CloudFront::Distribution'));
  return distribution?.Properties.DistributionConfig;
};

/** The logical id of the one resource of a type in the stateless stack. */
const logicalIdOf = (type: string) => {
  const ids = Object.keys(stateless.findResources(type));
  expect(ids, type).toHaveLength(1);
  return ids[0] ?? '';
};

describe('web console hosting', () => {
  it('serves a private, TLS-only, versioned, encrypted bucket through origin access control', () => {
    const buckets = stateless.findResources('AWS::S3::Bucket');
    const [siteId, site] =
      Object.entries(buckets).find(([, b]) => b.Properties.LoggingConfiguration !== undefined) ??
      [];
    expect(siteId).toBeDefined();
    expect(site?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
    });
    stateless.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    const [origin] = distributionConfig().Origins;
    expect(origin.OriginAccessControlId).toEqual({
      'Fn::GetAtt': [logicalIdOf('AWS::CloudFront::OriginAccessControl'), 'Id'],
    });
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [siteId, 'RegionalDomainName'] });
    // Only CloudFront reads the bucket, only for this distribution, only over TLS.
    const policy = Object.values(stateless.findResources('AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === siteId,
    );
    const statements: {
      Effect: string;
      Principal?: unknown;
      Action: unknown;
      Condition?: { StringEquals?: Record<string, unknown> };
    }[] = policy?.Properties.PolicyDocument.Statement ?? [];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
    });
    expect(flatten(allows[0]?.Condition?.StringEquals?.['AWS:SourceArn'])).toBe(
      `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${logicalIdOf('AWS::CloudFront::Distribution')}>`,
    );
    expect(
      statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s).includes('SecureTransport')),
    ).toBe(true);
  });

  it('redirects HTTP to HTTPS and falls back to index.html for client-side routes', () => {
    const config = distributionConfig();
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
    });
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
      { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
    ]);
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('sends HSTS, a CSP for the API, the hosted UI and the buckets, no framing and no referrer', () => {
    const [policy] = Object.values(
      stateless.findResources('AWS::CloudFront::ResponseHeadersPolicy'),
    );
    const headers = policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers).toMatchObject({
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 63072000,
        IncludeSubdomains: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    const csp = flatten(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual([
      "'self'",
      'https://*.execute-api.<AWS::Region>.amazonaws.com',
      'https://<Import:UsersHostedUi>.auth.<AWS::Region>.amazoncognito.com',
      'https://edoc-web-incoming-<AWS::AccountId>-<AWS::Region>.s3.<AWS::Region>.amazonaws.com',
      'https://edoc-web-reports-<AWS::AccountId>-<AWS::Region>.s3.<AWS::Region>.amazonaws.com',
    ]);
    const [distribution] = Object.values(stateless.findResources('AWS::CloudFront::Distribution'));
    expect(
      distribution?.Properties.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId,
    ).toEqual({ Ref: logicalIdOf('AWS::CloudFront::ResponseHeadersPolicy') });
  });

  it('adds a code-flow app client whose callback is the distribution, and a hosted UI domain', () => {
    const distributionId = logicalIdOf('AWS::CloudFront::Distribution');
    const onDistribution = (suffix: string) => ({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, suffix]],
    });
    stateless.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [onDistribution('/'), onDistribution('/index.html')],
      GenerateSecret: false,
      SupportedIdentityProviders: ['COGNITO'],
      WriteAttributes: ['email'],
    });
    stateful.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['edoc-hub-web-', { Ref: 'AWS::AccountId' }]] },
    });
  });

  it("lets the API accept the console's tokens and its origin by CORS", () => {
    const distributionId = logicalIdOf('AWS::CloudFront::Distribution');
    const [api] = Object.values(stateless.findResources('AWS::ApiGatewayV2::Api'));
    expect(api?.Properties.CorsConfiguration.AllowOrigins).toEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
    ]);
    const [authorizer] = Object.values(stateless.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizer?.Properties.JwtConfiguration.Audience).toContainEqual({
      Ref: logicalIdOf('AWS::Cognito::UserPoolClient'),
    });
  });

  it('deploys the build and a config.json the console accepts, then invalidates the cache', () => {
    const [deployment] = Object.values(stateless.findResources('Custom::CDKBucketDeployment'));
    const props = deployment?.Properties;
    expect(props).toMatchObject({
      DestinationBucketName: {
        Ref: Object.keys(stateless.findResources('AWS::S3::Bucket')).find((id) =>
          id.startsWith('WebConsoleBucket'),
        ),
      },
      DistributionId: { Ref: logicalIdOf('AWS::CloudFront::Distribution') },
      DistributionPaths: ['/*'],
      Prune: true,
    });
    const keys: string[] = props.SourceObjectKeys;
    const markers: Record<string, unknown>[] = props.SourceMarkers;
    const index = keys.findIndex((key) =>
      existsSync(path.join(assemblyDirectory, `asset.${key.replace('.zip', '')}`, 'config.json')),
    );
    expect(index).toBeGreaterThanOrEqual(0);
    let text = readFileSync(
      path.join(assemblyDirectory, `asset.${keys[index]?.replace('.zip', '')}`, 'config.json'),
      'utf8',
    );
    for (const [marker, value] of Object.entries(markers[index] ?? {})) {
      text = text.replaceAll(marker, flatten(value));
    }
    expect(parseConfig(JSON.parse(text))).toEqual({
      apiUrl: `https://<${logicalIdOf('AWS::ApiGatewayV2::Api')}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/`,
      auth: {
        kind: 'cognito',
        domain: 'https://<Import:UsersHostedUi>.auth.<AWS::Region>.amazoncognito.com',
        clientId: `<${logicalIdOf('AWS::Cognito::UserPoolClient')}>`,
        scope: 'openid email profile',
      },
    });
  });

  it('outputs the console URL', () => {
    stateless.hasOutput('WebConsoleUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { 'Fn::GetAtt': [logicalIdOf('AWS::CloudFront::Distribution'), 'DomainName'] },
            '/',
          ],
        ],
      },
    });
  });

  it('is left out with -c webConsole=false, and with an external identity provider', () => {
    for (const extra of [
      { webConsole: 'false' },
      {
        jwtIssuer: 'https://login.example.gov.vn/realms/edoc',
        jwtAudience: 'edoc-hub',
      },
    ]) {
      const app = new App({ context: { stage: 'web', 'aws:cdk:bundling-stacks': [], ...extra } });
      const { stateless: stack } = buildApp(app);
      expect(stack.webConsole).toBeUndefined();
      Template.fromStack(stack).resourceCountIs('AWS::CloudFront::Distribution', 0);
    }
  });
});

describe('web console build', () => {
  /** A stack holding only the console, built from `appDirectory` with bundling on. */
  function synthConsole(appDirectory: string): string {
    const app = new App();
    const stack = new Stack(app, 'ConsoleBuild', {
      env: { account: '111122223333', region: 'ap-southeast-1' },
    });
    const userPool = new UserPool(stack, 'Users');
    const hostedUiDomain = userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: 'edoc-hub-build' },
    });
    new WebConsole(stack, 'Console', { userPool, hostedUiDomain, appDirectory }).deploySite(
      'https://api.example.gov.vn/',
    );
    const directory = app.synth().directory;
    const built = readdirSync(directory).filter((d) =>
      existsSync(path.join(directory, d, 'index.html')),
    );
    expect(built).toHaveLength(1);
    return path.join(directory, built[0] ?? '');
  }

  it('builds a vite app into the site asset with the local vite, without Docker', () => {
    // The console in web/ is being written; a two-file vite app stands in for it.
    const app = mkdtempSync(path.join(tmpdir(), 'console-fixture-'));
    writeFileSync(
      path.join(app, 'index.html'),
      '<!doctype html><html><body><div id="app"></div><script type="module" src="/main.js"></script></body></html>',
    );
    writeFileSync(
      path.join(app, 'main.js'),
      "document.getElementById('app').textContent = 'edoc';\n",
    );
    const site = synthConsole(app);
    const html = readFileSync(path.join(site, 'index.html'), 'utf8');
    const [script] = html.match(/assets\/[^"]+\.js/) ?? [];
    expect(script).toBeDefined();
    expect(readFileSync(path.join(site, script ?? ''), 'utf8')).toContain('edoc');
  }, 120_000);

  it('names the failing build instead of synthesizing an empty site', () => {
    const app = mkdtempSync(path.join(tmpdir(), 'console-broken-'));
    mkdirSync(path.join(app, 'src'));
    writeFileSync(
      path.join(app, 'index.html'),
      '<!doctype html><script type="module" src="/src/missing.ts"></script>',
    );
    expect(() => synthConsole(app)).toThrow(/vite build .*console-broken-.* failed/s);
  }, 120_000);

  it.skipIf(!existsSync(path.join(import.meta.dirname, '../../web/src/main.tsx')))(
    "builds the repository's console from web/",
    () => {
      const site = synthConsole(path.join(import.meta.dirname, '../../web'));
      expect(readFileSync(path.join(site, 'index.html'), 'utf8')).toMatch(/assets\/.+\.js/);
    },
    300_000,
  );
});

/** A resolved CloudFormation value written as text, references as `<Id>`, imports as `<Import:…>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) {
      return join[1].map(flatten).join(String(join[0]));
    }
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    if (typeof node['Ref'] === 'string') return `<${node['Ref']}>`;
    const imported = node['Fn::ImportValue'];
    if (typeof imported === 'string') {
      const [, name = ''] = imported.match(/ExportsOutputRef([A-Za-z]+?)[0-9A-F]{8}/) ?? [];
      return `<Import:${name}>`;
    }
  }
  return JSON.stringify(value);
}
