import * as path from 'node:path';
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable, ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type BucketPurpose, bucketName } from '../definitions.ts';

type ObjectAction = 's3:GetObject' | 's3:PutObject' | 's3:PutObjectRetention' | 's3:DeleteObject';

export interface AppFunctionProps {
  /** File name under `functions/`, without extension, e.g. `verify-document`. */
  readonly entryName: string;
  /** Merged over the common variables (never replaces them). @default {} */
  readonly environment?: Record<string, string>;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /**
   * Folders of the repository copied next to the bundle (`{ from: 'config/trust', to: 'trust' }`),
   * for configuration deployed with the code, such as the verify step's trust anchors.
   * @default none
   */
  readonly assets?: readonly { readonly from: string; readonly to: string }[];
}

const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * The code uses node-forge for ASN.1 only (forge.asn1, forge.util): its index would bundle all of
 * forge (TLS, PKCS#12, ciphers: ~250 KB of the 1.4 MB verify bundle). `node-forge` is bundled as
 * this module instead: the bare forge object, with asn1.js (and the util and oids it loads)
 * registered on it. It used to be an esbuild `inject`, which made esbuild import the CommonJS file
 * into every module of the bundle: ~640 interop copies of its exports at each cold start (~10 ms).
 * A new use of another forge module must be required there.
 */
const forgeAsn1 = path.join(repoRoot, 'functions', 'lib', 'node-forge-asn1.cjs');

/**
 * The SDK's `import … from 'node:http'` made Node build the module's ESM facade, which reads every
 * export, and node:http's WebSocket getters load undici: ~25 ms of every cold start for a module
 * nothing here uses. The bundle takes these built-ins from `process.getBuiltinModule` instead
 * (`functions/lib/node-http*.cjs`), the same objects without the facade.
 */
const builtinShims = Object.fromEntries(
  ['http', 'https'].flatMap((name) => {
    const shim = path.join(repoRoot, 'functions', 'lib', `node-${name}.cjs`);
    return [
      [`--alias:${name}`, shim],
      [`--alias:node:${name}`, shim],
    ];
  }),
);

/**
 * Every Lambda of edoc-hub: Node.js 22 on ARM64, ESM bundle built by the local esbuild (no
 * Docker), SDK bundled, X-Ray tracing, its own log group with a retention, and its own role with
 * no managed policy: logging rights on its log group only, everything else granted explicitly.
 */
export class AppFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      entry: path.join(repoRoot, 'functions', `${props.entryName}.ts`),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 1024,
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.entryName,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // Maps give file and line without the sources' text: 1.7 MB instead of 4.6 MB for verify,
        // which --enable-source-maps reads at every cold start (~45 ms instead of ~130 ms).
        sourcesContent: false,
        externalModules: [],
        mainFields: ['module', 'main'],
        esbuildArgs: {
          '--alias:node-forge': forgeAsn1,
          '--legal-comments': 'none',
          ...builtinShims,
        },
        // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
        banner:
          "import { createRequire as __edocCreateRequire } from 'node:module'; const require = __edocCreateRequire(import.meta.url);",
        ...(props.assets?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_input: string, output: string) =>
                  (props.assets ?? []).map(
                    (a) =>
                      `mkdir -p "${path.join(output, a.to)}" && cp -R "${path.join(repoRoot, a.from)}/." "${path.join(output, a.to)}"`,
                  ),
              },
            }
          : {}),
      },
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The runtime is pinned to nodejs22.x on purpose: moving it is a tested change, not a drift.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords have no resource-level permissions.',
    });
  }

  /**
   * Grants object-level actions on one key prefix of one of the deployment's buckets (never
   * `s3:*` or `GetObject*`), plus use of the bucket's KMS key. The prefix wildcard is acknowledged
   * for exactly that resource.
   */
  grantObjects(
    bucket: { readonly stage: string; readonly purpose: BucketPurpose },
    prefix: string,
    actions: readonly ObjectAction[],
    key?: IKey,
  ): void {
    const name = bucketName(bucket.stage, bucket.purpose, Aws.ACCOUNT_ID, Aws.REGION);
    const objects = `arn:${Aws.PARTITION}:s3:::${name}/${prefix}*`;
    this.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...actions], resources: [objects] }),
    );
    if (key) {
      if (actions.includes('s3:GetObject')) key.grantDecrypt(this);
      // SSE-KMS writes need only a data key; grantEncrypt would add ReEncrypt* and GenerateDataKey*.
      if (actions.some((a) => a !== 's3:GetObject')) key.grant(this, 'kms:GenerateDataKey');
    }
    this.acknowledgeWildcardResource(
      objects,
      `Documents are stored per id under ${prefix}; the key prefix is the narrowest scope.`,
    );
  }

  /**
   * Item-level access to the table's base index only (no GSIs, no scans, no table management):
   * what the pipeline steps need for their conditional writes and queries by pk. With
   * `leadingKeys`, only items whose partition key matches one of them (IAM `dynamodb:LeadingKeys`;
   * a `*` in a key makes the match a pattern).
   */
  grantStatusItems(
    table: ITableV2 | ITable,
    actions: readonly TableItemAction[],
    leadingKeys?: readonly string[],
  ): void {
    const operator = leadingKeys?.some((k) => k.includes('*'))
      ? 'ForAllValues:StringLike'
      : 'ForAllValues:StringEquals';
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...actions],
        resources: [table.tableArn],
        ...(leadingKeys
          ? { conditions: { [operator]: { 'dynamodb:LeadingKeys': [...leadingKeys] } } }
          : {}),
      }),
    );
  }

  /**
   * Acknowledges cdk-nag's AwsSolutions-IAM5 for one prefix-wildcard resource of this function's
   * role, named as cdk-nag names it in the finding id, so no other wildcard is covered.
   */
  acknowledgeWildcardResource(resource: string, reason: string): void {
    if (this.role === undefined) return;
    const shown = flattenReference(Stack.of(this).resolve(resource));
    Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${shown}]`, reason });
  }
}

/** A resolved CloudFormation value written the way cdk-nag names it in finding ids. */
function flattenReference(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, parts] = join;
      if (typeof delimiter === 'string' && Array.isArray(parts)) {
        return parts.map(flattenReference).join(delimiter);
      }
    }
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.map(flattenReference).join('.')}>`;
    if ('Ref' in node) return `<${flattenReference(node['Ref'])}>`;
  }
  return JSON.stringify(value);
}

export type TableItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:Query';
