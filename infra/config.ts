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
});

export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;

/** Parses context values; list values may be given as comma-separated strings on the command line. */
export function parseDeploymentConfig(context: Record<string, unknown>): DeploymentConfig {
  const origins = context['corsOrigins'];
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
  const audience = context['jwtAudience'];
  return DeploymentConfigSchema.parse({
    ...context,
    axis,
    jwtAudience: typeof audience === 'string' ? audience.split(',').filter(Boolean) : audience,
    stage: context['stage'] ?? 'pilot',
    corsOrigins: typeof origins === 'string' ? origins.split(',').filter(Boolean) : origins,
  });
}
