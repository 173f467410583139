import * as z from 'zod';
import { agencyIdSchema } from '#shared/routing/agency-id.ts';

/** The national document axis: deployed only when its endpoint is configured. */
const AxisConfigSchema = z.object({
  endpoint: z.url(),
  systemId: z.string().min(1),
  /** The province's own identifier on the axis (QCVN 102). */
  organId: agencyIdSchema,
  organName: z.string().min(1),
  pollMinutes: z.coerce.number().int().min(1).max(60).default(5),
});

const hsmIdentifier = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `${prefix}-<hex id>`);

/**
 * Organization keys held in a CloudHSM cluster (PKCS#11, Client SDK 5) instead of KMS: the
 * countersign function runs in the cluster's VPC. Off unless `hsm=cloudhsm`.
 */
const HsmConfigSchema = z.object({
  mode: z.literal('cloudhsm'),
  clusterId: z.string().regex(/^cluster-[a-z0-9]{11}$/, 'cluster-<11 characters>'),
  /** HSM ENI addresses the client library bootstraps from (`configure-pkcs11 -a`). */
  ipAddresses: z.array(z.ipv4()).min(1),
  vpcId: hsmIdentifier('vpc'),
  /** Private subnets of the function, in the cluster's Availability Zones. */
  subnetIds: z.array(hsmIdentifier('subnet')).min(1),
  /** The security group CloudHSM created for the cluster. */
  securityGroupId: hsmIdentifier('sg'),
  /** Secrets Manager secret holding the crypto user's `user:password` PIN. */
  pinSecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/),
  modulePath: z.string().startsWith('/').default('/opt/cloudhsm/lib/libcloudhsm_pkcs11.so'),
  /** A Lambda layer with the Client SDK 5 PKCS#11 library, its configuration and the cluster CA. */
  layerArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$/)
    .optional(),
  /**
   * `create`: S3 and DynamoDB gateway endpoints on `routeTableIds`, SQS and Secrets Manager
   * interface endpoints in the subnets. `existing`: the VPC already reaches those services.
   */
  endpoints: z.enum(['create', 'existing']).default('create'),
  routeTableIds: z.array(hsmIdentifier('rtb')).default([]),
});

export type HsmConfig = z.infer<typeof HsmConfigSchema>;

/**
 * Deployment settings, read from CDK context (`-c key=value` or `cdk.json`) with the defaults a
 * pilot deployment needs. Validated once so a typo fails the synth, not the first upload.
 */
export const DeploymentConfigSchema = z.object({
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,11}$/, 'lower-case letters, digits and dashes, 2 to 12'),
  /** Largest upload accepted, in bytes. */
  maxUploadBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /** Default archive retention in years when the document type sets none. */
  archiveRetentionYears: z.coerce.number().int().min(1).max(100).default(10),
  /** COMPLIANCE cannot be shortened by anyone, the root user included; GOVERNANCE is for test stages. */
  objectLockMode: z.enum(['COMPLIANCE', 'GOVERNANCE']).default('COMPLIANCE'),
  /** Browser origins allowed to POST uploads to the incoming bucket. */
  corsOrigins: z.array(z.string()).default([]),
  alarmEmail: z.string().email().optional(),
  axis: AxisConfigSchema.optional(),
  /**
   * The identity provider whose JWTs the API accepts (e.g. a Cognito user pool issuer URL) and
   * their audiences; the API is deployed only when an issuer is configured.
   */
  jwtIssuer: z.url().optional(),
  jwtAudience: z.array(z.string().min(1)).default([]),
  /**
   * The web console on CloudFront, deployed with the stack's own user pool (not with an external
   * `jwtIssuer`). `false` skips it and its vite build.
   */
  webConsole: z.union([z.boolean(), z.stringbool()]).default(true),
  /** Prefix of the Cognito hosted UI domain. @default `edoc-hub-<stage>-<account>` */
  cognitoDomainPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
    .refine((p) => !/aws|amazon|cognito/.test(p), 'may not contain aws, amazon or cognito')
    .optional(),
  hsm: HsmConfigSchema.refine(
    (hsm) => hsm.endpoints === 'existing' || hsm.routeTableIds.length > 0,
    {
      message: 'hsmRouteTableIds is required unless hsmEndpoints=existing',
      path: ['routeTableIds'],
    },
  ).optional(),
});

export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;

/** A list given as a comma-separated string on the command line, or as an array in cdk.json. */
const list = (value: unknown) =>
  typeof value === 'string' ? value.split(',').filter(Boolean) : value;

/** Parses context values; list values may be given as comma-separated strings on the command line. */
export function parseDeploymentConfig(context: Record<string, unknown>): DeploymentConfig {
  const axis =
    context['axisEndpoint'] === undefined
      ? undefined
      : {
          endpoint: context['axisEndpoint'],
          systemId: context['axisSystemId'],
          organId: context['axisOrganId'],
          organName: context['axisOrganName'],
          pollMinutes: context['axisPollMinutes'],
        };
  const hsm =
    context['hsm'] === undefined || context['hsm'] === 'none'
      ? undefined
      : {
          mode: context['hsm'],
          clusterId: context['hsmClusterId'],
          ipAddresses: list(context['hsmIpAddresses']),
          vpcId: context['hsmVpcId'],
          subnetIds: list(context['hsmSubnetIds']),
          securityGroupId: context['hsmSecurityGroupId'],
          pinSecretName: context['hsmPinSecretName'],
          modulePath: context['hsmModulePath'],
          layerArn: context['hsmLayerArn'],
          endpoints: context['hsmEndpoints'],
          routeTableIds: list(context['hsmRouteTableIds']),
        };
  return DeploymentConfigSchema.parse({
    ...context,
    axis,
    hsm,
    jwtAudience: list(context['jwtAudience']),
    stage: context['stage'] ?? 'pilot',
    corsOrigins: list(context['corsOrigins']),
  });
}
