import { createHash } from 'node:crypto';
import * as z from 'zod';
import {
  archiveManifestKey,
  archiveObjectKey,
  buildArchiveManifest,
  verificationSummarySchema,
} from '../documents/archive-manifest.ts';
import { documentAttributesSchema } from '../documents/document-record.ts';
import type { DeliveryRecord, StatusRepository } from '../ports/status-repository.ts';
import { planRouting } from '../routing/plan-routing.ts';
import { axisPackageKey, buildAxisPackage } from './axis-package.ts';
import type { AxisOutbox, PipelineClock, PipelineStores, ReferenceData } from './ports.ts';
import { reject, type StepOutcome } from './rejection.ts';

export interface RouteDocumentDeps {
  readonly repository: StatusRepository;
  readonly stores: PipelineStores;
  readonly reference: ReferenceData;
  readonly clock: PipelineClock;
  /** Retention for types no longer in the catalogue. */
  readonly defaultRetentionYears: number;
  /** The axis sender's queue; without it (no axis configured) axis recipients get paper. */
  readonly axisOutbox?: AxisOutbox;
}

const countersignedSchema = z.object({
  key: z.string(),
  sha256: z.string(),
  size: z.number(),
});
const uploadSchema = z.object({ sha256: z.string(), size: z.number() });
const actor = 'route';

const historyTime = (
  history: readonly { at: string; status: string }[],
  status: string,
): string | undefined => history.find((h) => h.status === status)?.at;

/**
 * Step 3: archive the document and deliver it.
 *
 * 1. Plan each recipient's delivery under the current rollout policy (partial delivery: the
 *    unreachable ones are UNDELIVERABLE and the issuer posts them paper).
 * 2. Archive the original and countersigned PDFs under content-addressed keys and the manifest —
 *    before anyone can receive the document, so nothing is delivered that is not archived.
 * 3. Record one delivery per recipient (conditional, so a retry adds none), and for recipients on
 *    the national axis one edXML package (also archived) and one outbox message each → ROUTED.
 *    The axis sender skips deliveries no longer PENDING, so a retried hand-over sends nothing twice.
 *
 * When no recipient can be reached the document ends REJECTED: it is countersigned and archived
 * but goes out on paper only.
 */
export async function routeDocument(deps: RouteDocumentDeps, id: string): Promise<StepOutcome> {
  const record = await deps.repository.get(id);
  if (record === undefined) throw new Error(`document ${id} does not exist`);
  if (record.status !== 'COUNTERSIGNED') return { kind: 'skipped', status: record.status };
  const attributes = documentAttributesSchema.parse(record.attributes);
  const countersigned = countersignedSchema.parse(record.results.countersigned);
  const upload = uploadSchema.parse(record.results.upload);
  const verification = verificationSummarySchema.parse(record.results.verification);
  const now = deps.clock.now().toISOString();

  const policy = await deps.reference.currentPolicy();
  const plan = planRouting(attributes, {
    directory: deps.reference.directory,
    catalogue: deps.reference.catalogue,
    // Without a connector the axis is closed whatever the phase says: its recipients get paper.
    policy: deps.axisOutbox
      ? policy
      : { ...policy, channelsOpen: policy.channelsOpen.filter((c) => c !== 'national-axis') },
  });
  const axisRecipients = plan.routes
    .filter((r) => r.deliverable && r.channel === 'national-axis')
    .map((r) => r.recipient);

  const [original, signed] = await Promise.all([
    deps.stores.documents.get(attributes.objectKey),
    deps.stores.documents.get(countersigned.key),
  ]);
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  if (digest(signed) !== countersigned.sha256 || digest(original) !== upload.sha256) {
    throw new Error(`document ${id}: stored files do not match their recorded hashes`);
  }
  await deps.stores.archive.put(archiveObjectKey(upload.sha256, 'pdf'), original, {
    contentType: 'application/pdf',
  });
  await deps.stores.archive.put(archiveObjectKey(countersigned.sha256, 'pdf'), signed, {
    contentType: 'application/pdf',
  });
  let edxml: { key: string; sha256: string } | undefined;
  if (axisRecipients.length > 0) {
    const countersignedAt = historyTime(record.history, 'COUNTERSIGNED') ?? now;
    const bytes = buildAxisPackage({
      document: record,
      attributes,
      recipients: axisRecipients,
      countersignedPdf: signed,
      countersignedAt: new Date(countersignedAt),
      directory: deps.reference.directory,
      catalogue: deps.reference.catalogue,
    });
    edxml = { key: axisPackageKey(id), sha256: digest(bytes) };
    await deps.stores.documents.put(edxml.key, bytes, { contentType: 'application/xml' });
    await deps.stores.archive.put(archiveObjectKey(edxml.sha256, 'edxml'), bytes, {
      contentType: 'application/xml',
    });
  }
  const manifest = buildArchiveManifest({
    document: record,
    verification,
    originalSha256: upload.sha256,
    countersignedSha256: countersigned.sha256,
    ...(edxml ? { edxmlSha256: edxml.sha256 } : {}),
    recipients: plan.routes,
    timestamps: {
      createdAt: record.createdAt,
      ...(historyTime(record.history, 'UPLOADED')
        ? { uploadedAt: historyTime(record.history, 'UPLOADED') }
        : {}),
      verifiedAt: historyTime(record.history, 'VERIFIED') ?? now,
      countersignedAt: historyTime(record.history, 'COUNTERSIGNED') ?? now,
      archivedAt: now,
    },
    catalogue: deps.reference.catalogue,
    defaultRetentionYears: deps.defaultRetentionYears,
  });
  const manifestKey = archiveManifestKey(record.issuer, record.year, id);
  await deps.stores.archive.put(manifestKey, Buffer.from(JSON.stringify(manifest, null, 2)), {
    contentType: 'application/json',
  });

  const routing = {
    manifestKey,
    paperCopyRequired: plan.paperCopyRequired,
    paperRecipients: plan.paperRecipients,
  };
  if (plan.outcome === 'none-deliverable') {
    return reject(
      deps.repository,
      id,
      'COUNTERSIGNED',
      plan.routes.map((r) => ({
        code: 'NO_ELECTRONIC_RECIPIENT',
        message: r.deliverable ? r.recipient : `${r.recipient}: ${r.message}`,
      })),
      { at: now, actor },
      { routing },
    );
  }
  const deliveries: DeliveryRecord[] = plan.routes.map((r) =>
    r.deliverable
      ? {
          recipient: r.recipient,
          channel: r.channel,
          // In the province the hub is the recipient's system too: the document is in its inbox.
          state: r.channel === 'province' ? 'SENT' : 'PENDING',
          updatedAt: now,
        }
      : {
          recipient: r.recipient,
          channel: r.channel ?? 'province',
          state: 'UNDELIVERABLE',
          updatedAt: now,
          reason: r.message,
        },
  );
  await deps.repository.recordDeliveries(id, deliveries);
  if (edxml && deps.axisOutbox) {
    for (const recipient of axisRecipients) {
      await deps.axisOutbox.send({ documentId: id, recipient, edxmlKey: edxml.key });
    }
  }
  await deps.repository.transition(
    id,
    'COUNTERSIGNED',
    'ROUTED',
    { at: now, actor, status: 'ROUTED' },
    { routing },
  );
  return { kind: 'advanced', status: 'ROUTED' };
}
