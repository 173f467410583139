import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import type { DeliveryRecord } from '#ports/status-repository.ts';
import type { VerificationSummary } from '#shared/documents/archive-manifest.ts';

export interface SeedOptions {
  readonly issuer: string;
  readonly recipients: readonly string[];
  /** Where the pipeline stopped. @default 'ROUTED' */
  readonly stage?: 'AWAITING_UPLOAD' | 'VERIFIED' | 'ROUTED';
  readonly createdAt?: string;
  /** @default 'cong-van' */
  readonly typeCode?: string;
  /** State of each delivery when routed. @default 'SENT' */
  readonly deliveryState?: DeliveryRecord['state'];
}

const PDF = Buffer.from('%PDF-1.7\n% countersigned\n%%EOF\n');

/** Who signed every seeded document, as its verification records it. */
export const SEEDED_SIGNER = 'Lê Văn Cường';

/** A TOTAL_PASSED verification of one timestamped signature by `signer`. */
const verifiedBy = (signer: string, at: string): VerificationSummary => ({
  indication: 'TOTAL_PASSED',
  validationTime: at,
  signatures: [
    {
      fieldName: 'Signature1',
      kind: 'signature',
      indication: 'TOTAL_PASSED',
      signer,
      signingTimeSource: 'timestamp',
    },
  ],
});

/**
 * Writes documents through the status repository as the pipeline steps do (create, upload,
 * verification, countersignature with its object in `bucket`, deliveries, routing), so handlers
 * read them exactly as they would in the deployed table. Numbers count from 1: one seeder per
 * table.
 */
export function makeDocumentSeeder(deps: {
  readonly repository: DynamoDbStatusRepository;
  readonly s3: S3Client;
  readonly bucket: string;
}) {
  let counter = 0;
  return async function seedDocument(options: SeedOptions): Promise<string> {
    counter += 1;
    const id = randomUUID();
    const { issuer, recipients } = options;
    const at = options.createdAt ?? '2019-06-14T03:00:00.000Z';
    const created = await deps.repository.create(
      {
        id,
        issuer,
        year: 2019,
        number: String(counter),
        notation: 'STTTT-VP',
        createdAt: at,
        attributes: {
          typeCode: options.typeCode ?? 'cong-van',
          subject: `Công văn ${counter}`,
          promulgationDate: at.slice(0, 10),
          signer: { name: SEEDED_SIGNER, position: 'Giám đốc' },
          urgency: 'normal',
          secrecy: 'none',
          recipients,
          declaredSha256: 'a'.repeat(64),
          declaredSize: 100,
          objectKey: `incoming/${issuer}/${id}.pdf`,
        },
      },
      { at, status: 'AWAITING_UPLOAD', actor: issuer },
    );
    if (!created.created) throw new Error(`number ${counter} of ${issuer} is taken already`);
    if (options.stage === 'AWAITING_UPLOAD') return id;
    const step = (
      from: 'AWAITING_UPLOAD' | 'UPLOADED' | 'VERIFIED' | 'COUNTERSIGNED',
      to: 'UPLOADED' | 'VERIFIED' | 'COUNTERSIGNED' | 'ROUTED',
      changes: Record<string, unknown>,
    ) => deps.repository.transition(id, from, to, { at, status: to, actor: 'pipeline' }, changes);
    await step('AWAITING_UPLOAD', 'UPLOADED', { upload: { sha256: 'a'.repeat(64), size: 100 } });
    await step('UPLOADED', 'VERIFIED', { verification: verifiedBy(SEEDED_SIGNER, at) });
    if (options.stage === 'VERIFIED') return id;
    const key = `countersigned/${issuer}/${id}.pdf`;
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: key,
        Body: PDF,
        ContentType: 'application/pdf',
      }),
    );
    await step('VERIFIED', 'COUNTERSIGNED', {
      countersigned: { key, sha256: 'b'.repeat(64), size: PDF.length },
    });
    await deps.repository.recordDeliveries(
      id,
      recipients.map((recipient) => ({
        recipient,
        channel: 'province',
        state: options.deliveryState ?? 'SENT',
        updatedAt: at,
      })),
    );
    await step('COUNTERSIGNED', 'ROUTED', {
      routing: {
        manifestKey: `manifests/${id}.json`,
        paperCopyRequired: false,
        paperRecipients: [],
      },
    });
    return id;
  };
}

/** The bytes every seeded countersigned object holds. */
export const SEEDED_PDF = PDF;
