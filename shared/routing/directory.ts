import * as z from 'zod';
import { agencyIdSchema } from './agency-id.ts';

export const AGENCY_KINDS = [
  'provincial-department',
  'district',
  'ministry',
  'other-province',
  'other',
] as const;

/**
 * How a document reaches the agency: edXML over the national axis (QCVN 102), or the province's
 * own inboxes. Rollout reports list channels in this order.
 */
export const CHANNELS = ['national-axis', 'province'] as const;
export type Channel = (typeof CHANNELS)[number];

export const phaseIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case letters, digits and dashes');

const focalPointSchema = z.strictObject({
  name: z.string().trim().min(1),
  email: z.email(),
  phone: z.string().regex(/^\+?[0-9][0-9 .()-]{6,19}$/, 'a telephone number'),
});

/** Where the organization's private key lives; the signer adapter is chosen from `kind`. */
export const keyReferenceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('kms'), keyId: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('pkcs11'),
    tokenLabel: z.string().min(1),
    keyLabel: z.string().min(1),
  }),
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
]);
export type KeyReference = z.infer<typeof keyReferenceSchema>;

/** The organization certificate and its intermediates, as a PEM bundle in the store or on disk. */
export const certificateChainReferenceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('object'), key: z.string().min(1) }),
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
]);
export type CertificateChainReference = z.infer<typeof certificateChainReferenceSchema>;

export const agencySchema = z.strictObject({
  code: agencyIdSchema,
  /**
   * `illustrative` marks identifiers made up in the right format for seed data; only codes taken
   * from the national register may be marked `official`.
   */
  codeStatus: z.enum(['official', 'illustrative']),
  name: z.string().trim().min(1),
  kind: z.enum(AGENCY_KINDS),
  channel: z.enum(CHANNELS),
  focalPoint: focalPointSchema,
  /** Rollout phases in which the agency sends and receives electronically. */
  enrolment: z.array(phaseIdSchema),
  /**
   * Organization names (certificate O/OU values) under which the agency's leaders hold signing
   * certificates, besides `name` itself.
   */
  signerOrganizations: z.array(z.string().trim().min(1)),
  /**
   * The organization signature applied by edoc-hub; only agencies that issue documents through
   * it have one (ministries and other provinces receive over the axis and have none here).
   */
  organizationSigning: z
    .strictObject({ key: keyReferenceSchema, certificateChain: certificateChainReferenceSchema })
    .optional(),
});
export type Agency = z.infer<typeof agencySchema>;

export const agencyDirectorySchema = z.array(agencySchema).superRefine((agencies, ctx) => {
  const seen = new Set<string>();
  agencies.forEach((agency, i) => {
    if (seen.has(agency.code)) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'code'],
        message: `agency ${agency.code} is listed twice`,
      });
    }
    seen.add(agency.code);
  });
});

export interface AgencyDirectory {
  readonly agencies: readonly Agency[];
  find(code: string): Agency | undefined;
}

/** Validates directory entries (seed data or table items) and indexes them by code. */
export function loadAgencyDirectory(entries: unknown): AgencyDirectory {
  const agencies = agencyDirectorySchema.parse(entries);
  const byCode = new Map(agencies.map((a) => [a.code, a]));
  return { agencies, find: (code) => byCode.get(code) };
}

/** The agencies enrolled in a phase, for building that phase's rollout policy. */
export function enrolledAgencyCodes(directory: AgencyDirectory, phaseId: string): string[] {
  return directory.agencies.filter((a) => a.enrolment.includes(phaseId)).map((a) => a.code);
}
