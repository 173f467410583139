import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPdf } from '#pdf/document.ts';
import { findSignatures } from '#pdf/signatures.ts';
import {
  ISSUERS,
  makePipelineIdentities,
  makePipelineWorld,
  type PipelineIdentities,
  RECIPIENTS,
} from '#test/support/faulty-pipeline.ts';

/** 30 keeps CI inside its budget; `PIPELINE_LOAD_DOCUMENTS=200 npx vitest run test/robustness` for more. */
const DOCUMENTS = Number(process.env['PIPELINE_LOAD_DOCUMENTS'] ?? 30);

let identities: PipelineIdentities;

beforeAll(async () => {
  identities = await makePipelineIdentities();
}, 60_000);
afterAll(() => identities.cleanup());

describe('the pipeline under load from several agencies', () => {
  it(`takes ${DOCUMENTS} documents to a terminal state, and the counts add up`, async () => {
    const world = makePipelineWorld(identities, { seed: 42, yieldRate: 0.5 });
    for (let i = 0; i < DOCUMENTS; i++) {
      const issuer = ISSUERS[i % ISSUERS.length] ?? '';
      await world.upload(issuer, i % 7 === 3 ? 'tampered' : 'valid');
    }

    await world.drain({ concurrency: 16, duplicateRate: 0 });

    const statuses = world.uploaded.map((d) => world.repository.records.get(d.id)?.status);
    const routed = world.uploaded.filter(
      (d) => d.kind === 'valid' && d.issuer !== '000.00.04.H48',
    ).length;
    expect(statuses.filter((s) => s === 'ROUTED')).toHaveLength(routed);
    expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(DOCUMENTS - routed);
    expect(world.uploads.deadLetters.length + world.toCountersign.deadLetters.length).toBe(0);
    expect(world.toRoute.deadLetters).toHaveLength(0);
    // Each step ran once per document that reached it: no message was lost or repeated.
    expect(world.toCountersign.sent).toBe(world.uploaded.filter((d) => d.kind === 'valid').length);
    expect(world.toRoute.sent).toBe(routed);
    const deliveries = [...world.repository.deliveryRecords.values()].flat();
    expect(deliveries).toHaveLength(routed * RECIPIENTS.length);
    expect(world.axisOutbox).toHaveLength(routed);
    for (const doc of world.uploaded.filter(
      (d) => statuses[world.uploaded.indexOf(d)] === 'ROUTED',
    )) {
      const record = world.repository.records.get(doc.id);
      const key = (record?.results['countersigned'] as { key?: string } | undefined)?.key;
      const stored = key === undefined ? undefined : world.documents.objects.get(key);
      expect(stored && findSignatures(openPdf(stored.body)).length, doc.id).toBe(2);
    }
  });
});
