import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPdf } from '#pdf/document.ts';
import { str } from '#pdf/objects.ts';
import { findSignatures } from '#pdf/signatures.ts';
import { decodeTextString } from '#pdf/text-string.ts';
import { minimalPdf, writeRevision } from './pdf-factory.ts';

const corpus = path.resolve(import.meta.dirname, '../../../../shared/corpus');
const open = (file: string) => openPdf(readFileSync(path.join(corpus, file)));

const SIG_DICT =
  '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30] ' +
  "/Contents <3082ABCD0000> /M (D:20240101120000+07'00') /Reason <FEFF0110004F> /Location (H\\340 N\\033i) >>";

describe('decodeTextString', () => {
  it('decodes UTF-16BE with a byte order mark', () => {
    expect(decodeTextString(str(Buffer.from([0xfe, 0xff, 0x01, 0x10, 0x1e, 0xa1])))).toBe('Đạ');
  });

  it('decodes UTF-8 with a byte order mark', () => {
    expect(decodeTextString(str(Buffer.from('\ufeffQuyết định', 'utf8')))).toBe('Quyết định');
  });

  it('decodes PDFDocEncoding, including the bytes that differ from Latin-1', () => {
    expect(decodeTextString(str(Buffer.from([0x41, 0x80, 0x92, 0xa0, 0xe9])))).toBe('A•™€é');
  });
});

describe('findSignatures on crafted documents', () => {
  it('collects a signed field with its dictionary values and the span of /Contents', () => {
    const bytes = minimalPdf(
      [
        [4, '<< /Fields [5 0 R] /SigFlags 3 >>'],
        [5, '<< /FT /Sig /T (Sig1) /V 6 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] >>'],
        [6, SIG_DICT],
      ],
      '/AcroForm 4 0 R',
    );
    const [sig, ...rest] = findSignatures(openPdf(bytes));
    expect(rest).toEqual([]);
    expect(sig).toMatchObject({
      fieldName: 'Sig1',
      fieldRef: { kind: 'ref', num: 5, gen: 0 },
      sigRef: { kind: 'ref', num: 6, gen: 0 },
      type: 'Sig',
      filter: 'Adobe.PPKLite',
      subFilter: 'ETSI.CAdES.detached',
      byteRange: [0, 10, 20, 30],
      signingTime: "D:20240101120000+07'00'",
      reason: 'ĐO',
      location: 'Hà N\u02d9i',
      sigDictRevision: 0,
    });
    expect(sig?.contents).toEqual(Buffer.from([0x30, 0x82, 0xab, 0xcd, 0x00, 0x00]));
    const span = sig?.contentsSpan;
    expect(span && bytes.toString('latin1', span.start, span.end)).toBe('<3082ABCD0000>');
    expect(sig?.revision).toBeUndefined();
  });

  it('qualifies names through /Kids and inherits /FT from the parent', () => {
    const bytes = minimalPdf(
      [
        [4, '<< /Fields [5 0 R] >>'],
        [5, '<< /T (parent) /FT /Sig /Kids [7 0 R] >>'],
        [7, '<< /T (child) /Parent 5 0 R /V 6 0 R >>'],
        [6, SIG_DICT],
      ],
      '/AcroForm 4 0 R',
    );
    expect(findSignatures(openPdf(bytes)).map((s) => s.fieldName)).toEqual(['parent.child']);
  });

  it('finds a signed field that only a page widget links to', () => {
    const bytes = writeRevision(
      Buffer.alloc(0),
      [
        [1, '<< /Type /Catalog /Pages 2 0 R >>'],
        [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
        [3, '<< /Type /Page /Parent 2 0 R /Annots [5 0 R] >>'],
        [5, '<< /FT /Sig /T (Hidden) /V 6 0 R /Subtype /Widget /P 3 0 R >>'],
        [6, SIG_DICT],
      ],
      { trailer: '/Root 1 0 R' },
    );
    expect(findSignatures(openPdf(bytes)).map((s) => s.fieldName)).toEqual(['Hidden']);
  });

  it('skips signature fields without a value', () => {
    const bytes = minimalPdf(
      [
        [4, '<< /Fields [5 0 R] >>'],
        [5, '<< /FT /Sig /T (Empty) >>'],
      ],
      '/AcroForm 4 0 R',
    );
    expect(findSignatures(openPdf(bytes))).toEqual([]);
  });

  it('reads DocMDP permissions from /Reference, defaulting /P to 2', () => {
    const withP = (p: string) =>
      minimalPdf(
        [
          [4, '<< /Fields [5 0 R] >>'],
          [5, '<< /FT /Sig /T (Cert) /V 6 0 R >>'],
          [
            6,
            `<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> /Reference [<< /TransformMethod /DocMDP /TransformParams << /Type /TransformParams ${p} >> >>] >>`,
          ],
        ],
        '/AcroForm 4 0 R /Perms << /DocMDP 6 0 R >>',
      );
    expect(findSignatures(openPdf(withP('/P 1')))[0]?.docMdpPermissions).toBe(1);
    expect(findSignatures(openPdf(withP('')))[0]?.docMdpPermissions).toBe(2);
  });

  it('links the signature to the revision its ByteRange closes and records where its dictionary was written', () => {
    const v0 = minimalPdf([[4, '<< /Fields [] >>']], '/AcroForm 4 0 R');
    const v1 = writeRevision(
      v0,
      [
        [4, '<< /Fields [5 0 R] >>'],
        [5, '<< /FT /Sig /T (S) /V 6 0 R >>'],
        [6, '<< /Type /DocTimeStamp /ByteRange [0 0 0 ##########] /Contents <00> >>'],
      ],
      { trailer: '/Root 1 0 R' },
    );
    const withLength = Buffer.from(
      v1.toString('latin1').replace('##########', String(v1.length).padStart(10, '0')),
      'latin1',
    );
    const doc = openPdf(withLength);
    const [sig] = findSignatures(doc);
    expect(sig?.type).toBe('DocTimeStamp');
    expect(sig?.sigDictRevision).toBe(1);
    expect(sig?.revision).toBe(1);
  });
});

describe('findSignatures on corpus files', () => {
  it('reads the certification level of a certified document', () => {
    const [sig] = findSignatures(open('pyhanko/pdf/certified-with-indirect-refs-in-dir.pdf'));
    expect(sig?.docMdpPermissions).toBe(1);
    expect(
      findSignatures(open('dss/dss-2554/certified-no-change-permitted.pdf'))[0]?.docMdpPermissions,
    ).toBe(1);
    expect(
      findSignatures(open('dss/dss-2554/certified-changes-permitted.pdf'))[0]?.docMdpPermissions,
    ).toBe(3);
  });

  it('reports the field name, a /Contents span matching the ByteRange gap, and the DER bytes', () => {
    const doc = open('pyhanko/pdf/minimal-signed-twice-no-sig-type.pdf');
    for (const sig of findSignatures(doc)) {
      const [, len1, start2] = sig.byteRange;
      expect(sig.contentsSpan).toEqual({ start: len1, end: start2 });
      expect(sig.contents[0]).toBe(0x30);
    }
    expect(findSignatures(doc).map((s) => [s.fieldName, s.type])).toEqual([
      ['Sig1', 'Sig'],
      ['Sig2', undefined],
    ]);
  });

  it('reports each of two fields that share one signature dictionary', () => {
    const sigs = findSignatures(open('dss/signature-referenced-from-multiple-fields.pdf'));
    expect(sigs).toHaveLength(2);
    expect(sigs[0]?.sigRef).toEqual(sigs[1]?.sigRef);
  });

  it('shows a signature dictionary rewritten by a later revision', () => {
    const [sig] = findSignatures(open('dss/pades-spoofing-replaced-reason.pdf'));
    expect(sig?.revision).toBe(1);
    expect(sig?.sigDictRevision).toBe(2);
  });
});
