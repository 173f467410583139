import * as z from 'zod';
import type { HistoryEntry, NewDocument } from '../ports/status-repository.ts';
import { agencyIdSchema } from '../routing/agency-id.ts';
import { type DocumentTypeCatalogue, documentTypeCodeSchema } from '../routing/catalogue.ts';
import type { AgencyDirectory } from '../routing/directory.ts';
import { planRouting } from '../routing/plan-routing.ts';
import { isEnrolled, type RolloutPolicy } from '../routing/rollout-policy.ts';
import { type DocumentAttributes, incomingObjectKey } from './document-record.ts';
import { type FieldError, fieldErrors } from './field-errors.ts';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  type DocumentMetadata,
  makeDocumentMetadataSchema,
  notationSchema,
  SECRECY_LEVELS,
  secrecySchema,
  sha256HexSchema,
} from './metadata.ts';

/**
 * The only trace kept of a refused secret document: who tried, when, at which level, and what
 * identifies it in the issuer's register. Subject, signer and recipients are not kept; the
 * declared SHA-256 is, so the same file uploaded again with its marking removed can be spotted.
 */
export const secretRefusalAuditSchema = z.strictObject({
  id: z.string().min(1),
  at: z.iso.datetime(),
  issuer: z.string().min(1),
  secrecy: z.enum(SECRECY_LEVELS).exclude(['none']),
  declared: z.strictObject({
    number: z.number().int().positive().optional(),
    notation: z.string().optional(),
    typeCode: z.string().optional(),
    sha256: z.string().optional(),
  }),
});
export type SecretRefusalAudit = z.infer<typeof secretRefusalAuditSchema>;

/** Each field is kept only if valid on its own; anything else in a secret body is dropped. */
const auditFieldsSchema = z
  .object({
    number: z.number().int().positive().optional().catch(undefined),
    notation: notationSchema.optional().catch(undefined),
    typeCode: documentTypeCodeSchema.optional().catch(undefined),
    sha256: sha256HexSchema.optional().catch(undefined),
  })
  .catch({});

const secrecyOnlySchema = z.object({ secrecy: secrecySchema });

export type UploadPlan =
  /** 422: a document marked Mật, Tối mật or Tuyệt mật; store only `audit`. */
  | { readonly kind: 'refused-secret'; readonly audit: SecretRefusalAudit }
  /** 422 (or 400 for a malformed body): nothing is stored. */
  | { readonly kind: 'invalid'; readonly details: readonly FieldError[] }
  /** Create `record` with `entry` (409 if the number is taken), then hand out an upload URL. */
  | {
      readonly kind: 'accepted';
      readonly record: NewDocument & { readonly attributes: DocumentAttributes };
      readonly entry: HistoryEntry;
      readonly objectKey: string;
      /** Recipients the current phase cannot reach electronically: they will need paper. */
      readonly warnings: readonly FieldError[];
    };

export interface UploadContext {
  /** The calling agency, from its authenticated identity. */
  readonly issuer: string;
  readonly directory: AgencyDirectory;
  readonly catalogue: DocumentTypeCatalogue;
  readonly now: Date;
  /** @default DEFAULT_MAX_UPLOAD_BYTES (50 MiB) */
  readonly maxBytes?: number;
  readonly newId: () => string;
  /**
   * The current rollout phase. When given (as the upload use case should), the issuer must be
   * enrolled in it, recipients it cannot reach come back as warnings and a document none of
   * whose recipients it can reach is invalid; without it, the issuer must be enrolled in some
   * phase and recipients are only checked against the directory.
   */
  readonly policy?: RolloutPolicy;
}

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/** The calendar date in Vietnam (+07:00), which is the date a document can carry. */
const vietnamToday = (now: Date): string =>
  new Date(now.getTime() + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);

/**
 * Decides what to do with a POST /documents body:
 * 1. a secret marking is refused before anything else, whatever else the body holds;
 * 2. the body is parsed (strict: no `issuer`, no unknown keys);
 * 3. issuer, type, notation, date and recipients are checked against directory, catalogue and
 *    phase, every problem reported at once;
 * 4. the record to create is built, numbered in the year of its promulgation date.
 * Uniqueness of the number is left to the repository's claim (`numberClaimKey`).
 */
export function planUpload(input: unknown, context: UploadContext): UploadPlan {
  const marking = secrecyOnlySchema.safeParse(input);
  if (marking.success && marking.data.secrecy !== 'none') {
    const declared = auditFieldsSchema.parse(input);
    return {
      kind: 'refused-secret',
      audit: secretRefusalAuditSchema.parse({
        id: context.newId(),
        at: context.now.toISOString(),
        issuer: context.issuer,
        secrecy: marking.data.secrecy,
        declared: Object.fromEntries(Object.entries(declared).filter(([, v]) => v !== undefined)),
      }),
    };
  }

  const schema = makeDocumentMetadataSchema(context.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES);
  const parsed = schema.safeParse(input, { reportInput: true });
  if (!parsed.success) return { kind: 'invalid', details: fieldErrors(parsed.error) };
  const metadata = parsed.data;

  const recipients = recipientChecks(metadata, context);
  const details = [
    ...issuerProblems(context),
    ...typeProblems(metadata, context.catalogue),
    ...recipients.problems,
  ];
  if (metadata.promulgationDate > vietnamToday(context.now)) {
    details.push({ field: 'promulgationDate', message: 'is later than today' });
  }
  if (details.length > 0) return { kind: 'invalid', details };

  const id = context.newId();
  const objectKey = incomingObjectKey(context.issuer, id);
  const at = context.now.toISOString();
  return {
    kind: 'accepted',
    record: {
      id,
      issuer: context.issuer,
      year: Number(metadata.promulgationDate.slice(0, 4)),
      number: String(metadata.number),
      notation: metadata.notation,
      createdAt: at,
      attributes: {
        typeCode: metadata.typeCode,
        subject: metadata.subject,
        promulgationDate: metadata.promulgationDate,
        signer: metadata.signer,
        urgency: metadata.urgency,
        secrecy: 'none',
        recipients: metadata.recipients,
        declaredSha256: metadata.sha256,
        declaredSize: metadata.size,
        objectKey,
      },
    },
    entry: { at, status: 'AWAITING_UPLOAD', actor: context.issuer },
    objectKey,
    warnings: recipients.warnings,
  };
}

function issuerProblems(context: UploadContext): FieldError[] {
  const problem = (message: string): FieldError[] => [{ field: 'issuer', message }];
  if (!agencyIdSchema.safeParse(context.issuer).success) {
    return problem(`${context.issuer} is not a QCVN 102 agency identifier`);
  }
  const agency = context.directory.find(context.issuer);
  if (!agency) return problem(`${context.issuer} is not in the agency directory`);
  if (agency.channel !== 'province') {
    return problem(`${agency.name} is not an agency of the province`);
  }
  if (!agency.organizationSigning) {
    return problem(`${agency.name} has no organization key to countersign with`);
  }
  const enrolled = context.policy
    ? isEnrolled(context.policy, agency.code)
    : agency.enrolment.length > 0;
  if (!enrolled) {
    const phase = context.policy ? ` in phase ${context.policy.phaseId}` : '';
    return problem(`${agency.name} is not enrolled to issue e-documents${phase}`);
  }
  return [];
}

function typeProblems(metadata: DocumentMetadata, catalogue: DocumentTypeCatalogue): FieldError[] {
  const type = catalogue.find(metadata.typeCode);
  if (!type) {
    return [{ field: 'typeCode', message: `${metadata.typeCode} is not in the catalogue` }];
  }
  const [first] = metadata.notation.split(/[-/]/);
  if (type.abbreviation !== null && first !== type.abbreviation) {
    return [
      {
        field: 'notation',
        message: `a ${type.name} notation starts with ${type.abbreviation}- (Decree 30/2020)`,
      },
    ];
  }
  return [];
}

/**
 * Unknown recipients and the issuer itself are errors in the request. A known recipient the
 * current phase cannot reach is not: routing will deliver to the others and ask for paper for it,
 * so it is only a warning, unless no recipient at all is reachable.
 */
function recipientChecks(
  metadata: DocumentMetadata,
  context: UploadContext,
): { problems: FieldError[]; warnings: FieldError[] } {
  const problems: FieldError[] = [];
  const warnings: FieldError[] = [];
  const known: string[] = [];
  metadata.recipients.forEach((recipient, i) => {
    const field = `recipients[${i}]`;
    if (recipient === context.issuer) {
      problems.push({ field, message: 'an agency cannot send a document to itself' });
    } else if (!context.directory.find(recipient)) {
      problems.push({ field, message: `${recipient} is not in the agency directory` });
    } else {
      known.push(recipient);
    }
  });
  if (!context.policy || problems.length > 0) return { problems, warnings };
  const plan = planRouting(
    { typeCode: metadata.typeCode, secrecy: 'none', recipients: known },
    { directory: context.directory, catalogue: context.catalogue, policy: context.policy },
  );
  for (const route of plan.routes) {
    if (route.deliverable) continue;
    const field = `recipients[${metadata.recipients.indexOf(route.recipient)}]`;
    warnings.push({ field, message: `${route.message}; it needs the paper copy` });
  }
  if (plan.outcome === 'none-deliverable') {
    return {
      problems: [
        {
          field: 'recipients',
          message: `no recipient receives e-documents in phase ${context.policy.phaseId}`,
        },
        ...warnings,
      ],
      warnings: [],
    };
  }
  return { problems, warnings };
}
