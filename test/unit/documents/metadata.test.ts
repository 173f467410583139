import { describe, expect, it } from 'vitest';
import { fieldErrors } from '#shared/documents/field-errors.ts';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  documentMetadataSchema,
  makeDocumentMetadataSchema,
  URGENCY_PRIORITY,
} from '#shared/documents/metadata.ts';

const SHA = 'a'.repeat(64);

function makeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number: 1808,
    notation: 'UBND-KGVX',
    typeCode: 'cong-van',
    subject: 'Triển khai gửi, nhận văn bản điện tử có ký số',
    promulgationDate: '2019-04-16',
    signer: { name: 'Trần Ngọc Căng', position: 'Chủ tịch' },
    urgency: 'normal',
    secrecy: 'none',
    recipients: ['000.00.08.H48', '000.00.21.H48'],
    sha256: SHA,
    size: 120_000,
    ...overrides,
  };
}

const errorsOf = (body: unknown, schema = documentMetadataSchema) => {
  const result = schema.safeParse(body);
  if (result.success) throw new Error('expected the body to be refused');
  return fieldErrors(result.error);
};

describe('documentMetadataSchema', () => {
  it('accepts a complete body', () => {
    const parsed = documentMetadataSchema.parse(makeBody());
    expect(parsed.number).toBe(1808);
    expect(parsed.notation).toBe('UBND-KGVX');
    expect(parsed.recipients).toEqual(['000.00.08.H48', '000.00.21.H48']);
  });

  it('refuses a body naming its issuer', () => {
    expect(errorsOf(makeBody({ issuer: '000.00.01.H48' }))).toEqual([
      { field: 'issuer', message: 'is not accepted: the issuer is the calling agency' },
    ]);
  });

  it('refuses any other unknown key under its own name', () => {
    expect(errorsOf(makeBody({ signer: { name: 'A', position: 'B', title: 'C' } }))).toEqual([
      { field: 'signer.title', message: 'is not an accepted field' },
    ]);
  });

  it.each([
    ['Khẩn', 'khan'],
    ['khan', 'khan'],
    ['THƯỢNG KHẨN', 'thuong-khan'],
    ['thuong_khan', 'thuong-khan'],
    ['Hỏa tốc', 'hoa-toc'],
    ['Hoả tốc', 'hoa-toc'],
    ['hoa-toc', 'hoa-toc'],
    ['normal', 'normal'],
  ])('reads urgency %s as %s', (wire, slug) => {
    expect(documentMetadataSchema.parse(makeBody({ urgency: wire })).urgency).toBe(slug);
  });

  it('maps urgencies to the edXML priority codes', () => {
    expect(URGENCY_PRIORITY).toEqual({ normal: 0, khan: 1, 'thuong-khan': 2, 'hoa-toc': 3 });
  });

  it.each([
    ['Tối mật', 'toi-mat'],
    ['TUYET MAT', 'tuyet-mat'],
    ['Mật', 'mat'],
  ])('reads secrecy %s as %s', (wire, slug) => {
    expect(documentMetadataSchema.parse(makeBody({ secrecy: wire })).secrecy).toBe(slug);
  });

  it('refuses an unknown urgency', () => {
    expect(errorsOf(makeBody({ urgency: 'urgent' }))[0]?.field).toBe('urgency');
  });

  it.each(['UBND-KGVX', 'QĐ-UBND', 'TTr-UBND', 'VPCP-KSTT', 'KH/UBND', 'BC-SNV-VP2'])(
    'accepts notation %s',
    (notation) => {
      expect(documentMetadataSchema.safeParse(makeBody({ notation })).success).toBe(true);
    },
  );

  it.each(['ubnd-kgvx', 'UBND KGVX', 'UBND--KGVX', '-UBND', 'UBND#KGVX', 'UBND-', ''])(
    'refuses notation %j',
    (notation) => {
      expect(errorsOf(makeBody({ notation })).map((e) => e.field)).toEqual(['notation']);
    },
  );

  it('refuses a number that is not a positive integer', () => {
    for (const number of [0, -1, 1.5, '1808']) {
      expect(errorsOf(makeBody({ number })).map((e) => e.field)).toEqual(['number']);
    }
  });

  it('refuses an empty subject and one longer than 1000 characters', () => {
    expect(errorsOf(makeBody({ subject: '   ' }))[0]?.field).toBe('subject');
    expect(errorsOf(makeBody({ subject: 'x'.repeat(1001) }))[0]?.field).toBe('subject');
    expect(documentMetadataSchema.safeParse(makeBody({ subject: 'x'.repeat(1000) })).success).toBe(
      true,
    );
  });

  it('refuses a date that does not exist', () => {
    expect(errorsOf(makeBody({ promulgationDate: '2019-02-29' }))[0]?.field).toBe(
      'promulgationDate',
    );
    expect(errorsOf(makeBody({ promulgationDate: '16/04/2019' }))[0]?.field).toBe(
      'promulgationDate',
    );
  });

  it('refuses an empty recipient list, a duplicate and a malformed identifier', () => {
    expect(errorsOf(makeBody({ recipients: [] }))[0]?.field).toBe('recipients');
    expect(errorsOf(makeBody({ recipients: ['000.00.08.H48', '000.00.08.H48'] }))).toEqual([
      { field: 'recipients[1]', message: '000.00.08.H48 is listed twice' },
    ]);
    expect(errorsOf(makeBody({ recipients: ['000.00.08.H48', 'SoTTTT'] }))[0]?.field).toBe(
      'recipients[1]',
    );
  });

  it('lower-cases a hex digest and refuses base64', () => {
    expect(documentMetadataSchema.parse(makeBody({ sha256: 'AB'.repeat(32) })).sha256).toBe(
      'ab'.repeat(32),
    );
    const base64 = Buffer.alloc(32, 7).toString('base64');
    expect(errorsOf(makeBody({ sha256: base64 }))[0]?.field).toBe('sha256');
  });

  it('caps the declared size at 50 MiB by default and at the configured maximum', () => {
    expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(52_428_800);
    expect(
      documentMetadataSchema.safeParse(makeBody({ size: DEFAULT_MAX_UPLOAD_BYTES })).success,
    ).toBe(true);
    expect(errorsOf(makeBody({ size: DEFAULT_MAX_UPLOAD_BYTES + 1 }))[0]?.field).toBe('size');
    expect(errorsOf(makeBody({ size: 2000 }), makeDocumentMetadataSchema(1000))).toEqual([
      { field: 'size', message: 'must be at most 1000 bytes' },
    ]);
  });

  it('reports every problem of a body at once', () => {
    const { subject: _subject, ...withoutSubject } = makeBody({ number: 0, issuer: 'x' });
    expect(
      errorsOf(withoutSubject)
        .map((e) => e.field)
        .sort(),
    ).toEqual(['issuer', 'number', 'subject']);
  });
});

describe('fieldErrors', () => {
  it('says a missing field is required when the input was reported', () => {
    const { sha256: _sha, ...body } = makeBody();
    const result = documentMetadataSchema.safeParse(body, { reportInput: true });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(fieldErrors(result.error)).toEqual([{ field: 'sha256', message: 'is required' }]);
    }
  });
});
