import { describe, expect, it } from 'vitest';
import { documentAttributesSchema } from '#shared/documents/document-record.ts';
import { planUpload, type UploadContext } from '#shared/documents/plan-upload.ts';
import { loadAgencyDirectory } from '#shared/routing/directory.ts';
import type { RolloutPolicy } from '#shared/routing/rollout-policy.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';

const PROVINCIAL_COMMITTEE = '000.00.00.H48';
const DEPARTMENT_OF_IC = '000.00.08.H48';
const DEPARTMENT_OF_FINANCE = '000.00.03.H48';
const GOVERNMENT_OFFICE = '000.00.00.G01';
const SHA = '3f'.repeat(32);

function makeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number: 1808,
    notation: 'UBND-KGVX',
    typeCode: 'cong-van',
    subject: 'Triển khai gửi, nhận văn bản điện tử có ký số',
    promulgationDate: '2019-04-16',
    signer: { name: 'Trần Ngọc Căng', position: 'Chủ tịch' },
    urgency: 'Hỏa tốc',
    secrecy: 'none',
    recipients: [DEPARTMENT_OF_IC, GOVERNMENT_OFFICE],
    sha256: SHA,
    size: 120_000,
    ...overrides,
  };
}

function makeContext(overrides: Partial<UploadContext> = {}): UploadContext {
  let ids = 0;
  return {
    issuer: PROVINCIAL_COMMITTEE,
    directory: QUANG_NGAI_DIRECTORY,
    catalogue: SEED_DOCUMENT_TYPES,
    now: new Date('2019-04-16T03:00:00Z'),
    newId: () => {
      ids += 1;
      return `doc-${ids}`;
    },
    ...overrides,
  };
}

function makePolicy(overrides: Partial<RolloutPolicy> = {}): RolloutPolicy {
  return {
    phaseId: 'official',
    channelsOpen: ['province', 'national-axis'],
    enrolledAgencies: 'all',
    electronicOnlyTypes: 'catalogue',
    ...overrides,
  };
}

function detailsOf(body: unknown, context = makeContext()) {
  const plan = planUpload(body, context);
  if (plan.kind !== 'invalid') throw new Error(`expected invalid, got ${plan.kind}`);
  return plan.details;
}

describe('planUpload', () => {
  it('accepts a công văn and builds the record awaiting upload', () => {
    const plan = planUpload(makeBody(), makeContext());
    expect(plan.kind).toBe('accepted');
    if (plan.kind !== 'accepted') return;
    expect(plan.objectKey).toBe(`incoming/${PROVINCIAL_COMMITTEE}/doc-1.pdf`);
    expect(plan.record).toMatchObject({
      id: 'doc-1',
      issuer: PROVINCIAL_COMMITTEE,
      year: 2019,
      number: '1808',
      notation: 'UBND-KGVX',
      createdAt: '2019-04-16T03:00:00.000Z',
    });
    expect(plan.record.attributes).toMatchObject({
      urgency: 'hoa-toc',
      secrecy: 'none',
      recipients: [DEPARTMENT_OF_IC, GOVERNMENT_OFFICE],
      declaredSha256: SHA,
      declaredSize: 120_000,
      objectKey: plan.objectKey,
    });
    expect(documentAttributesSchema.safeParse(plan.record.attributes).success).toBe(true);
    expect(plan.entry).toEqual({
      at: '2019-04-16T03:00:00.000Z',
      status: 'AWAITING_UPLOAD',
      actor: PROVINCIAL_COMMITTEE,
    });
    expect(plan.warnings).toEqual([]);
  });

  it('numbers the document in the year of its date, not of its upload', () => {
    const plan = planUpload(
      makeBody({ promulgationDate: '2019-12-31' }),
      makeContext({ now: new Date('2020-01-02T02:00:00Z') }),
    );
    expect(plan.kind === 'accepted' && plan.record.year).toBe(2019);
  });

  it('accepts a document dated today in Vietnam while it is still yesterday in UTC', () => {
    const plan = planUpload(
      makeBody({ promulgationDate: '2019-04-17' }),
      makeContext({ now: new Date('2019-04-16T18:30:00Z') }),
    );
    expect(plan.kind).toBe('accepted');
  });

  it('refuses a document dated after today', () => {
    expect(detailsOf(makeBody({ promulgationDate: '2019-04-18' }))).toEqual([
      { field: 'promulgationDate', message: 'is later than today' },
    ]);
  });

  it.each([
    ['Mật', 'mat'],
    ['toi-mat', 'toi-mat'],
    ['Tuyệt mật', 'tuyet-mat'],
  ])('refuses a document marked %s and keeps only an audit record', (marking, level) => {
    const plan = planUpload(makeBody({ secrecy: marking }), makeContext());
    expect(plan).toEqual({
      kind: 'refused-secret',
      audit: {
        id: 'doc-1',
        at: '2019-04-16T03:00:00.000Z',
        issuer: PROVINCIAL_COMMITTEE,
        secrecy: level,
        declared: { number: 1808, notation: 'UBND-KGVX', typeCode: 'cong-van', sha256: SHA },
      },
    });
    const stored = JSON.stringify(plan);
    expect(stored).not.toContain('Triển khai');
    expect(stored).not.toContain('Trần Ngọc Căng');
    expect(stored).not.toContain(DEPARTMENT_OF_IC);
  });

  it('refuses a secret document even when the rest of the body is invalid', () => {
    const plan = planUpload(
      { secrecy: 'Tối mật', number: -4, notation: 'bad notation', issuer: 'x' },
      makeContext(),
    );
    expect(plan.kind).toBe('refused-secret');
    if (plan.kind === 'refused-secret') expect(plan.audit.declared).toEqual({});
  });

  it('reports schema problems as field details', () => {
    expect(detailsOf(makeBody({ issuer: GOVERNMENT_OFFICE, size: 0 }))).toEqual([
      { field: 'size', message: 'Too small: expected number to be >0' },
      { field: 'issuer', message: 'is not accepted: the issuer is the calling agency' },
    ]);
  });

  it('says which fields are missing', () => {
    const { subject: _subject, ...body } = makeBody();
    expect(detailsOf(body)).toEqual([{ field: 'subject', message: 'is required' }]);
  });

  it('refuses a body that is not an object', () => {
    expect(detailsOf('1808/UBND-KGVX')).toEqual([
      { field: '', message: 'Invalid input: expected object, received string' },
    ]);
  });

  it('refuses a type missing from the catalogue', () => {
    expect(detailsOf(makeBody({ typeCode: 'nghi-quyet' }))).toEqual([
      { field: 'typeCode', message: 'nghi-quyet is not in the catalogue' },
    ]);
  });

  it('refuses a quyết định whose notation does not start with QĐ', () => {
    expect(detailsOf(makeBody({ typeCode: 'quyet-dinh', notation: 'UBND-KGVX' }))).toEqual([
      { field: 'notation', message: 'a Quyết định notation starts with QĐ- (Decree 30/2020)' },
    ]);
    expect(
      planUpload(makeBody({ typeCode: 'quyet-dinh', notation: 'QĐ-UBND' }), makeContext()).kind,
    ).toBe('accepted');
  });

  it('refuses unknown recipients and the issuer itself, by position', () => {
    const body = makeBody({
      recipients: [DEPARTMENT_OF_IC, '000.00.99.H48', PROVINCIAL_COMMITTEE],
    });
    expect(detailsOf(body)).toEqual([
      { field: 'recipients[1]', message: '000.00.99.H48 is not in the agency directory' },
      { field: 'recipients[2]', message: 'an agency cannot send a document to itself' },
    ]);
  });

  it('refuses an issuer missing from the directory or outside the province', () => {
    expect(detailsOf(makeBody(), makeContext({ issuer: '000.00.77.H48' }))).toEqual([
      { field: 'issuer', message: '000.00.77.H48 is not in the agency directory' },
    ]);
    expect(
      detailsOf(
        makeBody({ recipients: [DEPARTMENT_OF_IC] }),
        makeContext({ issuer: GOVERNMENT_OFFICE }),
      ),
    ).toEqual([
      { field: 'issuer', message: 'Văn phòng Chính phủ is not an agency of the province' },
    ]);
  });

  it('refuses an issuer that was never enrolled or has no organization key', () => {
    const directory = loadAgencyDirectory([
      ...QUANG_NGAI_DIRECTORY.agencies,
      {
        ...QUANG_NGAI_DIRECTORY.agencies[0],
        code: '000.00.40.H48',
        name: 'Sở Y tế',
        enrolment: [],
      },
      {
        ...QUANG_NGAI_DIRECTORY.agencies[0],
        code: '000.00.41.H48',
        name: 'Sở Xây dựng',
        organizationSigning: undefined,
      },
    ]);
    expect(detailsOf(makeBody(), makeContext({ directory, issuer: '000.00.40.H48' }))).toEqual([
      { field: 'issuer', message: 'Sở Y tế is not enrolled to issue e-documents' },
    ]);
    expect(detailsOf(makeBody(), makeContext({ directory, issuer: '000.00.41.H48' }))).toEqual([
      { field: 'issuer', message: 'Sở Xây dựng has no organization key to countersign with' },
    ]);
  });

  it('refuses an issuer not enrolled in the current phase', () => {
    const policy = makePolicy({ phaseId: 'province-pilot', enrolledAgencies: [DEPARTMENT_OF_IC] });
    expect(detailsOf(makeBody(), makeContext({ policy }))).toEqual([
      {
        field: 'issuer',
        message:
          'Ủy ban nhân dân tỉnh Quảng Ngãi is not enrolled to issue e-documents in phase province-pilot',
      },
    ]);
  });

  it('accepts with a warning a recipient the phase cannot reach yet', () => {
    const policy = makePolicy({
      phaseId: 'province-pilot',
      enrolledAgencies: [PROVINCIAL_COMMITTEE, DEPARTMENT_OF_IC],
    });
    const plan = planUpload(
      makeBody({ recipients: [DEPARTMENT_OF_IC, DEPARTMENT_OF_FINANCE] }),
      makeContext({ policy }),
    );
    expect(plan.kind).toBe('accepted');
    if (plan.kind !== 'accepted') return;
    expect(plan.warnings).toEqual([
      {
        field: 'recipients[1]',
        message:
          'Sở Tài chính does not receive e-documents in phase province-pilot; it needs the paper copy',
      },
    ]);
  });

  it('refuses a document none of whose recipients the phase can reach', () => {
    const policy = makePolicy({ phaseId: 'axis-pilot', channelsOpen: ['national-axis'] });
    const details = detailsOf(
      makeBody({ recipients: [DEPARTMENT_OF_IC] }),
      makeContext({ policy }),
    );
    expect(details[0]).toEqual({
      field: 'recipients',
      message: 'no recipient receives e-documents in phase axis-pilot',
    });
    expect(details[1]?.field).toBe('recipients[0]');
  });

  it('applies the configured upload limit', () => {
    expect(detailsOf(makeBody({ size: 120_000 }), makeContext({ maxBytes: 100_000 }))).toEqual([
      { field: 'size', message: 'must be at most 100000 bytes' },
    ]);
  });

  it('reports issuer, type and recipient problems together', () => {
    const details = detailsOf(
      makeBody({ typeCode: 'nghi-quyet', recipients: ['000.00.99.H48'] }),
      makeContext({ issuer: '000.00.77.H48' }),
    );
    expect(details.map((d) => d.field)).toEqual(['issuer', 'typeCode', 'recipients[0]']);
  });
});
