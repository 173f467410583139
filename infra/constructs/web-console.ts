import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DockerImage, Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  ClientAttributes,
  type IUserPool,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface WebConsoleProps {
  /** The user pool agencies sign in to; the console gets its own app client there. */
  readonly userPool: IUserPool;
  /** The pool's hosted UI domain, where the console sends users to sign in. */
  readonly hostedUiDomain: UserPoolDomain;
  /**
   * Buckets the browser reaches with pre-signed URLs (uploads, downloads), by name: their
   * regional endpoints are allowed in the Content-Security-Policy's `connect-src`.
   * @default none
   */
  readonly storageBucketNames?: readonly string[];
  /**
   * The vite app to build (`vite build <dir>` with the project's own vite, no Docker).
   * @default the repository's `web/`
   */
  readonly appDirectory?: string;
  /** @default PriceClass.PRICE_CLASS_200 (edge locations in Asia, where the users are) */
  readonly priceClass?: PriceClass;
}

/**
 * The agencies' web console: the vite build in a private bucket behind CloudFront (origin access
 * control, HTTPS only, security headers, SPA fallback), a Cognito app client for the hosted UI
 * (authorization code flow with PKCE, callback on the distribution), and `config.json` written
 * beside the build by {@link WebConsole.deploySite} once the API's URL is known.
 */
export class WebConsole extends Construct {
  public readonly bucket: Bucket;
  /** S3 server access logs of the site bucket and CloudFront standard logs. */
  public readonly logBucket: Bucket;
  public readonly distribution: Distribution;
  public readonly headers: ResponseHeadersPolicy;
  /** Public app client (no secret) for the hosted UI; the API must accept its tokens. */
  public readonly client: UserPoolClient;
  /** `https://<distribution domain>`: the origin the API and the buckets allow by CORS. */
  public readonly origin: string;
  /** `https://<distribution domain>/`: the console's address and OAuth callback. */
  public readonly url: string;
  /** The built console, a bundling asset. */
  public readonly siteSource: ISource;
  readonly #hostedUiDomain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    this.#hostedUiDomain = props.hostedUiDomain;
    const region = Stack.of(this).region;

    this.logBucket = new Bucket(this, 'LogBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      // CloudFront standard logs are delivered with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        { expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket of the console; logging it into itself would loop.',
    });

    // The build is public by nature (it is served to every browser): SSE-S3 suffices, and keeps
    // CloudFront's origin access control free of a KMS key policy.
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'bucket/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });

    const storageOrigins = (props.storageBucketNames ?? []).map(
      (name) => `https://${name}.s3.${region}.amazonaws.com`,
    );
    // connect-src names the API by its region's execute-api domain: naming the API itself would
    // make the distribution depend on the API while the API's CORS depends on the distribution.
    const contentSecurityPolicy = [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "manifest-src 'self'",
      [
        'connect-src',
        "'self'",
        `https://*.execute-api.${region}.amazonaws.com`,
        props.hostedUiDomain.baseUrl(),
        ...storageOrigins,
      ].join(' '),
      "form-action 'self'",
      "base-uri 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      'upgrade-insecure-requests',
    ].join('; ');
    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'edoc-hub console: HSTS, CSP, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'edoc-hub web console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_200,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      // Client-side routes and missing objects (403 without s3:ListBucket) load the app.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The console is served on the default *.cloudfront.net certificate, whose minimum TLS ' +
          'version CloudFront fixes; a custom domain with its own certificate would set TLSv1.2_2021.',
      },
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geographic restriction: officials sign in from wherever they work, and every request ' +
          'beyond the static files needs a Cognito token.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves static files only; the API it calls is throttled at its stage ' +
          'and behind a JWT authorizer. WAF is a paid add-on left to the deployment.',
      },
    );

    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;

    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      generateSecret: false,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        // Code flow only; the console sends an S256 PKCE challenge, which a public client needs.
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [this.url, `${this.url}index.html`],
        logoutUrls: [this.url, `${this.url}index.html`],
      },
      // Users may change only standard attributes: never their own agency or role.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    const appDirectory = props.appDirectory ?? path.join(repoRoot, 'web');
    this.siteSource = Source.asset(appDirectory, {
      exclude: ['dist', 'node_modules'],
      bundling: {
        // Never pulled: the local build below always runs or fails with vite's message.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
        local: {
          tryBundle(outputDir) {
            buildWithVite(appDirectory, outputDir);
            return true;
          },
        },
      },
    });
  }

  /**
   * Deploys the built console and its `config.json` (API URL, hosted UI domain, client id), and
   * invalidates the distribution's cache so browsers get both at once.
   */
  deploySite(apiUrl: string): BucketDeployment {
    const deployment = new BucketDeployment(this, 'Site', {
      destinationBucket: this.bucket,
      sources: [
        this.siteSource,
        Source.jsonData('config.json', {
          apiUrl,
          auth: {
            kind: 'cognito',
            domain: this.#hostedUiDomain.baseUrl(),
            clientId: this.client.userPoolClientId,
            scope: 'openid email profile',
          },
        }),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    acknowledgeDeploymentHandler(this, this.bucket);
    return deployment;
  }
}

/** Runs the project's vite (node_modules, no npx, no network) with the Node running CDK. */
function buildWithVite(appDirectory: string, outputDir: string): void {
  const vite = path.join(repoRoot, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', appDirectory, '--outDir', outputDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    throw new Error(
      `vite build ${appDirectory} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr}${result.stdout}`,
    );
  }
}

/** CDK's singleton function behind every BucketDeployment of the stack. */
function acknowledgeDeploymentHandler(scope: Construct, siteBucket: Bucket): void {
  const stack = Stack.of(scope);
  const cfnBucket = siteBucket.node.defaultChild;
  const siteBucketLogicalId: unknown =
    cfnBucket instanceof CfnBucket ? stack.resolve(cfnBucket.logicalId) : undefined;
  if (typeof siteBucketLogicalId !== 'string') throw new Error('the site bucket has no logical id');
  const handler = stack.node
    .findAll()
    .find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (handler === undefined) return;
  Validations.of(handler).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'CDK-managed deploy-time handler that copies the console build into its bucket; it uses ' +
        'AWSLambdaBasicExecutionRole for its own logs and is not part of the data path.',
    },
    ...[
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
      `Resource::<${siteBucketLogicalId}.Arn>/*`,
      'Resource::*',
    ].map((evidence) => ({
      id: `AwsSolutions-IAM5[${evidence}]`,
      reason:
        'CDK grants its deploy-time handler object actions on the CDK asset bucket (read) and the ' +
        'console bucket (sync) only, and CloudFront invalidations, which have no resource-level ' +
        'permissions; neither bucket holds document data.',
    })),
    {
      id: 'AwsSolutions-L1',
      reason: 'The runtime of the CDK-managed deploy-time handler is chosen by aws-cdk-lib.',
    },
  );
}
