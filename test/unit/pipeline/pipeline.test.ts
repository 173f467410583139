import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incomingObjectKey } from '#shared/documents/document-record.ts';
import { parseEdxmlDocument } from '#shared/edxml/envelope.ts';
import { countersignDocument } from '#shared/pipeline/countersign-document.ts';
import type { OrganizationSigners, ReferenceData } from '#shared/pipeline/ports.ts';
import { routeDocument } from '#shared/pipeline/route-document.ts';
import { UnknownUploadError, verifyUpload } from '#shared/pipeline/verify-upload.ts';
import { loadAgencyDirectory } from '#shared/routing/directory.ts';
import type { RolloutPolicy } from '#shared/routing/rollout-policy.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { DEFAULT_POLICY } from '#signature/policy.ts';
import { validatePdf } from '#signature/validate-pdf.ts';
import {
  InMemoryDocumentStore,
  InMemoryStatusRepository,
  RecordingQueue,
} from '#test/support/in-memory-pipeline.ts';
import { makeOrgIdentity, type OrgIdentity } from '../countersign/signing-fixture.ts';
import { makeSignedPdf } from '../signature/signed-pdf.ts';
import { makeSignaturePki, type SignaturePki } from '../signature/test-pki.ts';

const ISSUER = '000.00.08.H48'; // Sở Thông tin và Truyền thông (seed)
const PROVINCE_RECIPIENT = '000.00.02.H48';
const AXIS_RECIPIENT = '000.00.00.G22';

let pki: SignaturePki;
let org: OrgIdentity;

beforeAll(() => {
  pki = makeSignaturePki();
  org = makeOrgIdentity();
});
afterAll(() => {
  pki.cleanup();
  org.pki.cleanup();
});

/** The seed directory, with the test PKI's organization name registered for the issuer. */
const directory = loadAgencyDirectory(
  QUANG_NGAI_DIRECTORY.agencies.map((a) =>
    a.code === ISSUER
      ? { ...a, signerOrganizations: [...a.signerOrganizations, 'Sở TT&TT thử nghiệm'] }
      : a,
  ),
);

const officialPolicy: RolloutPolicy = {
  phaseId: 'official',
  channelsOpen: ['province', 'national-axis'],
  enrolledAgencies: 'all',
  electronicOnlyTypes: 'catalogue',
};

function harness(
  options: {
    policy?: RolloutPolicy;
    signers?: OrganizationSigners;
    directory?: ReferenceData['directory'];
    withoutAxis?: boolean;
  } = {},
) {
  const repository = new InMemoryStatusRepository();
  const documents = new InMemoryDocumentStore();
  const archive = new InMemoryDocumentStore();
  const toCountersign = new RecordingQueue();
  const toRoute = new RecordingQueue();
  const clock = { now: () => new Date() };
  const reference: ReferenceData = {
    directory: options.directory ?? directory,
    catalogue: SEED_DOCUMENT_TYPES,
    currentPolicy: async () => options.policy ?? officialPolicy,
  };
  const stores = { documents, archive };
  const signers: OrganizationSigners = options.signers ?? {
    forAgency: async (code) =>
      code === ISSUER ? { signer: org.signer, certificateChain: org.chain } : undefined,
  };
  const verifyDeps = {
    repository,
    documents,
    reference,
    clock,
    next: toCountersign,
    settings: {
      trust: {
        trustAnchors: [pki.root.der],
        intermediates: [pki.intermediate.der],
        crls: [],
        policy: DEFAULT_POLICY,
      },
      signerBinding: 'organization-name' as const,
      maxUploadBytes: 50 * 1024 * 1024,
    },
  };
  const countersignDeps = {
    repository,
    documents,
    signers,
    clock,
    next: toRoute,
    reason: 'Ký số của cơ quan, tổ chức',
    location: 'Quảng Ngãi',
  };
  const axisOutbox = {
    sent: [] as { documentId: string; recipient: string; edxmlKey: string }[],
    async send(message: { documentId: string; recipient: string; edxmlKey: string }) {
      this.sent.push({ ...message });
    },
  };
  const routeDeps = {
    repository,
    stores,
    reference,
    clock,
    defaultRetentionYears: 10,
    ...(options.withoutAxis ? {} : { axisOutbox }),
  };

  /** An announced upload of `pdf`, as POST /documents leaves it. */
  async function announce(
    pdf: Buffer,
    id = 'doc-1',
    declared?: Partial<{ sha256: string; size: number }>,
  ) {
    const objectKey = incomingObjectKey(ISSUER, id);
    await repository.create(
      {
        id,
        issuer: ISSUER,
        year: 2019,
        number: '42',
        notation: 'STTTT-VP',
        createdAt: new Date().toISOString(),
        attributes: {
          typeCode: 'cong-van',
          subject: 'Về việc thí điểm gửi nhận văn bản điện tử',
          promulgationDate: '2019-05-16',
          signer: { name: 'Nguyễn Văn A', position: 'Giám đốc' },
          urgency: 'normal',
          secrecy: 'none',
          recipients: [PROVINCE_RECIPIENT, AXIS_RECIPIENT],
          declaredSha256: declared?.sha256 ?? createHash('sha256').update(pdf).digest('hex'),
          declaredSize: declared?.size ?? pdf.length,
          objectKey,
        },
      },
      { at: new Date().toISOString(), status: 'AWAITING_UPLOAD', actor: ISSUER },
    );
    await documents.put(objectKey, pdf, { contentType: 'application/pdf' });
    return objectKey;
  }

  return {
    repository,
    documents,
    archive,
    toCountersign,
    toRoute,
    axisOutbox,
    announce,
    verify: (key: string) => verifyUpload(verifyDeps, key),
    countersign: (id: string) => countersignDocument(countersignDeps, id),
    route: (id: string) => routeDocument(routeDeps, id),
  };
}

/** The key the record names for the document's countersigned PDF. */
async function countersignedKeyOf(
  h: { repository: InMemoryStatusRepository },
  id: string,
): Promise<string> {
  const results = (await h.repository.get(id))?.results.countersigned as { key: string };
  expect(results.key).toMatch(new RegExp(`^countersigned/${ISSUER}/${id}/[0-9a-f]{64}\\.pdf$`));
  return results.key;
}

const leaderSigned = () =>
  makeSignedPdf({ sign: (content) => pki.sign({ signer: pki.rsaSigner, content, cades: true }) });

describe('the document pipeline', () => {
  it('takes a leader-signed upload to ROUTED: countersigned, archived, one delivery per recipient', async () => {
    const h = harness();
    const key = await h.announce(leaderSigned());

    expect(await h.verify(key)).toEqual({ kind: 'advanced', status: 'VERIFIED' });
    expect(h.toCountersign.sent).toEqual([{ documentId: 'doc-1' }]);
    expect(await h.countersign('doc-1')).toEqual({ kind: 'advanced', status: 'COUNTERSIGNED' });
    expect(await h.route('doc-1')).toEqual({ kind: 'advanced', status: 'ROUTED' });

    const record = await h.repository.get('doc-1');
    expect(record?.history.map((e) => e.status)).toEqual([
      'AWAITING_UPLOAD',
      'UPLOADED',
      'VERIFIED',
      'COUNTERSIGNED',
      'ROUTED',
    ]);
    const deliveries = await h.repository.deliveries('doc-1');
    expect(deliveries.map((d) => [d.recipient, d.channel, d.state])).toEqual([
      [PROVINCE_RECIPIENT, 'province', 'SENT'],
      [AXIS_RECIPIENT, 'national-axis', 'PENDING'],
    ]);

    // The countersigned file holds both signatures, each valid under its own root.
    const countersigned = await h.documents.get(await countersignedKeyOf(h, 'doc-1'));
    const report = validatePdf(countersigned, {
      trustAnchors: [pki.root.der, ...parsePemBundle(readFileSync(org.pki.rootFile, 'latin1'))],
      intermediates: [pki.intermediate.der],
      crls: [],
      validationTime: new Date(),
      policy: DEFAULT_POLICY,
    });
    expect(report.indication, JSON.stringify(report.reasons)).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => s.signer?.organization)).toEqual([
      'Sở TT&TT thử nghiệm',
      'UBND tỉnh Quảng Ngãi',
    ]);

    // Archived under content-addressed keys, with a manifest naming them.
    const manifestKey = 'manifests/000.00.08.H48/2019/doc-1.json';
    const manifest = JSON.parse((await h.archive.get(manifestKey)).toString('utf8'));
    const sha = createHash('sha256').update(countersigned).digest('hex');
    expect(manifest.files.countersigned.key).toBe(`archive/${sha.slice(0, 2)}/${sha}.pdf`);
    expect((await h.archive.get(manifest.files.countersigned.key)).equals(countersigned)).toBe(
      true,
    );

    // The axis recipient's package carries the countersigned PDF and is queued for the sender.
    expect(h.axisOutbox.sent).toEqual([
      { documentId: 'doc-1', recipient: AXIS_RECIPIENT, edxmlKey: 'axis/outbound/doc-1.edxml' },
    ]);
    const edxml = parseEdxmlDocument(await h.documents.get('axis/outbound/doc-1.edxml'));
    expect(edxml.MessageHeader.To.map((t) => t.OrganId)).toEqual([AXIS_RECIPIENT]);
    expect(edxml.MessageHeader.Code).toEqual({ CodeNumber: '42', CodeNotation: 'STTTT-VP' });
    expect(edxml.attachments[0]?.content.equals(countersigned)).toBe(true);
    expect(manifest.files.edxml.key).toMatch(/^archive\/[0-9a-f]{2}\/[0-9a-f]{64}\.edxml$/);
  });

  it('gives axis recipients paper (UNDELIVERABLE) when no axis connector is deployed', async () => {
    const h = harness({ withoutAxis: true });
    const key = await h.announce(leaderSigned());
    await h.verify(key);
    await h.countersign('doc-1');
    await h.route('doc-1');
    const states = (await h.repository.deliveries('doc-1')).map((d) => [d.recipient, d.state]);
    expect(states).toEqual([
      [PROVINCE_RECIPIENT, 'SENT'],
      [AXIS_RECIPIENT, 'UNDELIVERABLE'],
    ]);
    expect(h.documents.objects.has('axis/outbound/doc-1.edxml')).toBe(false);
  });

  it('skips redelivered messages at every step: one countersignature, one set of deliveries', async () => {
    const h = harness();
    const key = await h.announce(leaderSigned());
    await h.verify(key);
    await h.countersign('doc-1');
    const first = await h.documents.get(await countersignedKeyOf(h, 'doc-1'));
    await h.route('doc-1');
    const puts = h.documents.puts;

    expect(await h.verify(key)).toEqual({ kind: 'skipped', status: 'ROUTED' });
    expect(await h.countersign('doc-1')).toEqual({ kind: 'skipped', status: 'ROUTED' });
    expect(await h.route('doc-1')).toEqual({ kind: 'skipped', status: 'ROUTED' });
    expect(h.documents.puts).toBe(puts);
    expect((await h.documents.get(await countersignedKeyOf(h, 'doc-1'))).equals(first)).toBe(true);
    expect(await h.repository.deliveries('doc-1')).toHaveLength(2);
  });

  it('hands a VERIFIED document over again when the first hand-over was lost', async () => {
    const h = harness();
    const key = await h.announce(leaderSigned());
    await h.verify(key);
    expect(await h.verify(key)).toEqual({ kind: 'skipped', status: 'VERIFIED' });
    expect(h.toCountersign.sent).toHaveLength(2);
  });

  it('rejects an upload whose bytes differ from the declared SHA-256, with the reason', async () => {
    const h = harness();
    const key = await h.announce(leaderSigned(), 'doc-1', { sha256: 'a'.repeat(64) });
    const outcome = await h.verify(key);
    expect(outcome.kind).toBe('rejected');
    const record = await h.repository.get('doc-1');
    expect(record?.status).toBe('REJECTED');
    expect(JSON.stringify(record?.results.rejection)).toMatch(/CHECKSUM_MISMATCH/);
    expect(h.toCountersign.sent).toEqual([]);
  });

  it('rejects a tampered document and never countersigns it', async () => {
    const h = harness();
    const pdf = leaderSigned();
    pdf[pdf.indexOf('/MediaBox') + 2] = 'X'.charCodeAt(0);
    const key = await h.announce(pdf);
    const outcome = await h.verify(key);
    expect(outcome).toMatchObject({
      kind: 'rejected',
      reasons: [{ code: 'SIGNATURE_TOTAL_FAILED' }],
    });
    expect(await h.countersign('doc-1')).toEqual({ kind: 'skipped', status: 'REJECTED' });
    expect([...h.documents.objects.keys()].some((k) => k.startsWith('countersigned/'))).toBe(false);
  });

  it('rejects an unsigned PDF as TOTAL_FAILED / NO_SIGNATURE', async () => {
    const h = harness();
    const key = await h.announce(
      readFileSync(new URL('../../../../shared/corpus/pyhanko/pdf/minimal.pdf', import.meta.url)),
    );
    const outcome = await h.verify(key);
    expect(outcome).toMatchObject({ kind: 'rejected' });
    expect(JSON.stringify(outcome)).toMatch(/NO_SIGNATURE/);
  });

  it('rejects a document whose leader certificate names another organization', async () => {
    // The issuer's registered names lack the test PKI's "Sở TT&TT thử nghiệm".
    const h = harness({ directory: QUANG_NGAI_DIRECTORY });
    const key = await h.announce(leaderSigned());
    expect(await h.verify(key)).toMatchObject({
      kind: 'rejected',
      reasons: [{ code: 'SIGNER_NOT_OF_AGENCY' }],
    });
    expect(h.toCountersign.sent).toEqual([]);
  });

  it('refuses an object no upload request announced, so it goes to the DLQ', async () => {
    const h = harness();
    await expect(h.verify('incoming/000.00.08.H48/ghost.pdf')).rejects.toThrow(UnknownUploadError);
    await expect(h.verify('elsewhere/x.pdf')).rejects.toThrow(UnknownUploadError);
    const key = await h.announce(leaderSigned());
    await expect(h.verify(key.replace(ISSUER, '000.00.02.H48'))).rejects.toThrow(
      UnknownUploadError,
    );
  });

  it('rejects at countersigning when the agency has no organization key', async () => {
    const h = harness({ signers: { forAgency: async () => undefined } });
    const key = await h.announce(leaderSigned());
    await h.verify(key);
    expect(await h.countersign('doc-1')).toMatchObject({
      kind: 'rejected',
      reasons: [{ code: 'NO_ORGANIZATION_KEY' }],
    });
  });

  it('delivers to the reachable recipients and marks the others UNDELIVERABLE during the axis pilot', async () => {
    const h = harness({
      policy: {
        phaseId: 'axis-pilot',
        channelsOpen: ['national-axis'],
        enrolledAgencies: 'all',
        electronicOnlyTypes: [],
      },
    });
    const key = await h.announce(leaderSigned());
    await h.verify(key);
    await h.countersign('doc-1');
    expect(await h.route('doc-1')).toEqual({ kind: 'advanced', status: 'ROUTED' });
    const states = (await h.repository.deliveries('doc-1')).map((d) => [d.recipient, d.state]);
    expect(states).toEqual([
      [PROVINCE_RECIPIENT, 'UNDELIVERABLE'],
      [AXIS_RECIPIENT, 'PENDING'],
    ]);
    expect((await h.repository.get('doc-1'))?.results.routing).toMatchObject({
      paperCopyRequired: true,
    });
  });
});
