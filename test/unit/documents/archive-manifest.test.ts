import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ArchiveManifestInput,
  archiveManifestKey,
  archiveObjectKey,
  buildArchiveManifest,
  summarizeVerification,
} from '#shared/documents/archive-manifest.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import type { ValidationReport } from '#shared/signature/report.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const ORIGINAL = sha('original');
const COUNTERSIGNED = sha('countersigned');
const EDXML = sha('edxml');

function makeReport(): ValidationReport {
  return {
    indication: 'TOTAL_PASSED',
    validationTime: '2019-04-16T03:05:00.000Z',
    revisions: 1,
    reasons: [],
    signatures: [
      {
        fieldName: 'Signature1',
        kind: 'signature',
        indication: 'TOTAL_PASSED',
        signer: {
          subject: 'CN=Trần Ngọc Căng,O=UBND tỉnh Quảng Ngãi',
          issuer: 'CN=CA phục vụ các cơ quan Nhà nước G2',
          serialNumber: '01',
          commonName: 'Trần Ngọc Căng',
          organization: 'UBND tỉnh Quảng Ngãi',
        },
        chain: [],
        signingTime: '2019-04-16T02:59:00.000Z',
        signingTimeSource: 'timestamp',
        coverage: { byteRange: [0, 10, 20, 30], coversWholeFile: true, problems: [] },
        reasons: [],
      },
    ],
  };
}

function makeInput(overrides: Partial<ArchiveManifestInput> = {}): ArchiveManifestInput {
  return {
    document: {
      id: 'doc-1',
      issuer: '000.00.00.H48',
      year: 2019,
      number: '1808',
      notation: 'UBND-KGVX',
      attributes: {
        typeCode: 'cong-van',
        subject: 'Triển khai gửi, nhận văn bản điện tử có ký số',
        promulgationDate: '2019-04-16',
        signer: { name: 'Trần Ngọc Căng', position: 'Chủ tịch' },
        urgency: 'normal',
        secrecy: 'none',
        recipients: ['000.00.08.H48', '000.00.00.G01'],
        declaredSha256: ORIGINAL,
        declaredSize: 120_000,
        objectKey: 'incoming/000.00.00.H48/doc-1.pdf',
      },
    },
    verification: summarizeVerification(makeReport()),
    originalSha256: ORIGINAL,
    countersignedSha256: COUNTERSIGNED,
    recipients: [
      { recipient: '000.00.00.G01', channel: 'national-axis', deliverable: true },
      {
        recipient: '000.00.08.H48',
        channel: 'province',
        deliverable: false,
        reason: 'channel-closed',
        message: 'the province channel is not open in phase axis-pilot',
      },
    ],
    timestamps: {
      createdAt: '2019-04-16T03:00:00.000Z',
      uploadedAt: '2019-04-16T03:01:00.000Z',
      verifiedAt: '2019-04-16T03:05:00.000Z',
      countersignedAt: '2019-04-16T03:06:00.000Z',
      routedAt: '2019-04-16T03:07:00.000Z',
      archivedAt: '2019-04-16T03:08:00.000Z',
    },
    catalogue: SEED_DOCUMENT_TYPES,
    defaultRetentionYears: 10,
    ...overrides,
  };
}

describe('archive keys', () => {
  it('address files by their SHA-256 under a two-digit prefix', () => {
    expect(archiveObjectKey(ORIGINAL, 'pdf')).toBe(
      `archive/${ORIGINAL.slice(0, 2)}/${ORIGINAL}.pdf`,
    );
    expect(archiveObjectKey(EDXML, 'edxml')).toBe(`archive/${EDXML.slice(0, 2)}/${EDXML}.edxml`);
  });

  it('refuse anything but a lower-case hex digest', () => {
    expect(() => archiveObjectKey(ORIGINAL.toUpperCase(), 'pdf')).toThrow();
    expect(() => archiveObjectKey('../../etc/passwd', 'pdf')).toThrow();
  });

  it('key manifests by issuer, year and document', () => {
    expect(archiveManifestKey('000.00.00.H48', 2019, 'doc-1')).toBe(
      'manifests/000.00.00.H48/2019/doc-1.json',
    );
  });
});

describe('buildArchiveManifest', () => {
  it('records the document, its files by hash and the routing outcome', () => {
    const manifest = buildArchiveManifest(makeInput());
    expect(manifest).toMatchObject({
      manifestVersion: 1,
      documentId: 'doc-1',
      issuer: '000.00.00.H48',
      number: '1808',
      notation: 'UBND-KGVX',
      document: { typeCode: 'cong-van', urgency: 'normal' },
      files: {
        original: { sha256: ORIGINAL, key: archiveObjectKey(ORIGINAL, 'pdf') },
        countersigned: { sha256: COUNTERSIGNED, key: archiveObjectKey(COUNTERSIGNED, 'pdf') },
      },
      recipients: [
        { recipient: '000.00.00.G01', channel: 'national-axis', deliverable: true },
        { recipient: '000.00.08.H48', deliverable: false, reason: 'channel-closed' },
      ],
    });
    expect(manifest.files.edxml).toBeUndefined();
    expect(manifest.document).not.toHaveProperty('objectKey');
  });

  it('summarizes the verification without the evidence', () => {
    const manifest = buildArchiveManifest(makeInput());
    expect(manifest.verification).toEqual({
      indication: 'TOTAL_PASSED',
      validationTime: '2019-04-16T03:05:00.000Z',
      signatures: [
        {
          fieldName: 'Signature1',
          kind: 'signature',
          indication: 'TOTAL_PASSED',
          signer: 'Trần Ngọc Căng',
          organization: 'UBND tỉnh Quảng Ngãi',
          signingTime: '2019-04-16T02:59:00.000Z',
          signingTimeSource: 'timestamp',
        },
      ],
    });
  });

  it('includes the edXML package when the document went over the axis', () => {
    const manifest = buildArchiveManifest(makeInput({ edxmlSha256: EDXML }));
    expect(manifest.files.edxml).toEqual({ sha256: EDXML, key: archiveObjectKey(EDXML, 'edxml') });
  });

  it('takes retention from the catalogue, counted from archiving', () => {
    const manifest = buildArchiveManifest(makeInput());
    expect(manifest.retention).toEqual({
      years: 10,
      until: '2029-04-16T03:08:00.000Z',
      source: 'catalogue',
    });
    const decision = makeInput();
    const quyetDinh = buildArchiveManifest({
      ...decision,
      document: {
        ...decision.document,
        notation: 'QĐ-UBND',
        attributes: { ...decision.document.attributes, typeCode: 'quyet-dinh' },
      },
    });
    expect(quyetDinh.retention.years).toBe(70);
  });

  it('falls back to the default retention for a type no longer in the catalogue', () => {
    const input = makeInput({ defaultRetentionYears: 15 });
    const manifest = buildArchiveManifest({
      ...input,
      document: {
        ...input.document,
        attributes: { ...input.document.attributes, typeCode: 'nghi-quyet' },
      },
    });
    expect(manifest.retention).toMatchObject({ years: 15, source: 'default' });
  });

  it('refuses a record whose attributes are malformed', () => {
    const input = makeInput();
    expect(() =>
      buildArchiveManifest({
        ...input,
        document: { ...input.document, attributes: { subject: 'x' } },
      }),
    ).toThrow();
  });

  it('refuses a digest that is not SHA-256 hex', () => {
    expect(() => buildArchiveManifest(makeInput({ countersignedSha256: 'abc' }))).toThrow();
  });
});
