import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPdf } from '#pdf/document.ts';
import { PdfFormatError } from '#pdf/errors.ts';
import { parseObjectAt } from '#pdf/parser.ts';
import { findSignatures } from '#pdf/signatures.ts';
import { minimalPdf, writeRevision } from './pdf-factory.ts';

const corpus = path.resolve(import.meta.dirname, '../../../../shared/corpus');
const pyhankoFiles = readdirSync(path.join(corpus, 'pyhanko/pdf'));

const robustness = [
  ...pyhankoFiles.filter((f) => /^broken-objstream\d\.pdf$|^minimal-startxref-/.test(f)),
  'minimal-badxref.pdf',
  'malformed-xref-space-padded.pdf',
  'minimal-broken-xref-size.pdf',
  'minimal-with-nonexistent-refs.pdf',
  'circular-page-tree.pdf',
  'form-tree-circular-ref-input.pdf',
  'struct-tree-circular-ref.pdf',
  'minimal-illegal-header.pdf',
  'safedocs/CompactedPDFSyntaxTest.pdf',
].map((f) => `pyhanko/pdf/${f}`);

const encrypted = [
  ...pyhankoFiles.filter((f) =>
    /-rc4|-aes256|pubkey|^malformed-encrypt-dict|^embedded-encrypted-nocf/.test(f),
  ),
].map((f) => `pyhanko/pdf/${f}`);

const dssHostile = [
  'pades_infinite_loop.pdf',
  'pades_opposite_infinite_loop.pdf',
  'pdf-eof.pdf',
  'encrypted.pdf',
].map((f) => `dss/${f}`);

/** Opens, finds signatures and reads every listed object; any failure must be a PdfFormatError. */
function exercise(bytes: Buffer): 'opened' | 'refused' {
  let doc: ReturnType<typeof openPdf>;
  try {
    doc = openPdf(bytes);
  } catch (error) {
    if (error instanceof PdfFormatError) return 'refused';
    throw error;
  }
  const tolerate = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (!(error instanceof PdfFormatError)) throw error;
    }
  };
  tolerate(() => findSignatures(doc));
  for (let r = 0; r < doc.revisions.length; r++) {
    for (const num of doc.revisions[r]?.entries.keys() ?? []) {
      tolerate(() => {
        const o = doc.getObject(num, undefined, r);
        if (typeof o === 'object' && o?.kind === 'stream') doc.decodeStream(o);
      });
    }
  }
  return 'opened';
}

describe('hostile and malformed corpus files', () => {
  it.each([...robustness, ...encrypted, ...dssHostile])(
    '%s opens or is refused with a PdfFormatError, quickly',
    (file) => {
      const started = performance.now();
      expect(['opened', 'refused']).toContain(exercise(readFileSync(path.join(corpus, file))));
      expect(performance.now() - started).toBeLessThan(2000);
    },
  );

  it('tolerates startxref pointers a few bytes off without calling the file recovered', () => {
    for (const f of pyhankoFiles.filter((n) => /^minimal-startxref-(obo|same)/.test(n))) {
      const doc = openPdf(readFileSync(path.join(corpus, 'pyhanko/pdf', f)));
      expect(doc.catalog(), f).toBeDefined();
      expect(doc.recovered, f).toBe(false);
    }
  });

  it('reads a file whose startxref points at nothing by scanning, and says so', () => {
    const doc = openPdf(
      readFileSync(path.join(corpus, 'pyhanko/pdf/minimal-startxref-hopeless.pdf')),
    );
    expect(doc.recovered).toBe(true);
    expect(doc.catalog()).toBeDefined();
  });

  it('refuses a file whose startxref keyword itself is broken', () => {
    for (const f of ['minimal-startxref-hopeless2.pdf', 'minimal-startxref-hopeless3.pdf']) {
      const bytes = readFileSync(path.join(corpus, 'pyhanko/pdf', f));
      expect(() => openPdf(bytes), f).toThrow(PdfFormatError);
    }
  });

  it('marks encrypted files as encrypted', () => {
    for (const f of encrypted.filter((n) => !n.includes('malformed'))) {
      expect(openPdf(readFileSync(path.join(corpus, f))).encrypted, f).toBe(true);
    }
  });
});

describe('generated hostile input', () => {
  it('refuses 100k nested arrays and dictionaries without overflowing the stack', () => {
    for (const [open, close] of [
      ['[', ']'],
      ['<< /A ', ' >>'],
    ] as const) {
      const deep = `${open.repeat(100_000)}${close.repeat(100_000)}`;
      expect(() => parseObjectAt(Buffer.from(deep), 0)).toThrow(PdfFormatError);
      const doc = openPdf(minimalPdf([[4, deep]]));
      expect(() => doc.getObject(4)).toThrow(PdfFormatError);
    }
  });

  it('refuses a /Prev chain that loops, directly or through another section', () => {
    const base = minimalPdf();
    const samePlace = (bytes: Buffer, prev: number) =>
      Buffer.from(
        bytes.toString('latin1').replace('/Root 1 0 R', `/Prev ${prev}`.padEnd(11)),
        'latin1',
      );
    expect(() => openPdf(samePlace(base, base.lastIndexOf('\nxref') + 1))).toThrow(/loops/);

    const v1 = writeRevision(base, [[4, '1']], { trailer: '/Root 1 0 R' });
    expect(() => openPdf(samePlace(v1, v1.lastIndexOf('\nxref') + 1))).toThrow(/loops/);
  });

  it('refuses an xref stream with zero-width rows or an absurd /Index quickly', () => {
    const bytes = writeRevision(Buffer.alloc(0), [[1, '<< /Type /Catalog >>']], {
      xref: 'stream',
      trailer: '/Root 1 0 R',
    });
    const zeroW = Buffer.from(
      bytes.toString('latin1').replace('/W [1 4 2]', '/W [0 0 0]'),
      'latin1',
    );
    expect(() => openPdf(zeroW)).toThrow(PdfFormatError);
    const huge = Buffer.from(
      bytes.toString('latin1').replace(/\/Index \[[^\]]*\]/, '/Index [0 999999999999]'),
      'latin1',
    );
    expect(exercise(huge)).toMatch(/opened|refused/);
  });

  it('caps the number of cross-reference entries', () => {
    expect(() => openPdf(minimalPdf(), { maxObjects: 2 })).toThrow(PdfFormatError);
  });

  it('survives a huge /Length, a self-referencing /Length and reference loops', () => {
    const doc = openPdf(
      minimalPdf([
        [4, '<< /Length 99999999999999 >>\nstream\nabc\nendstream'],
        [5, '<< /Length 5 0 R >>\nstream\nabc\nendstream'],
        [6, '7 0 R'],
        [7, '6 0 R'],
      ]),
    );
    const s4 = doc.getObject(4);
    expect(typeof s4 === 'object' && s4?.kind === 'stream' && s4.dataLength).toBe(3);
    const s5 = doc.getObject(5);
    expect(typeof s5 === 'object' && s5?.kind === 'stream' && s5.dataLength).toBe(3);
    expect(() => doc.resolve({ kind: 'ref', num: 6, gen: 0 })).toThrow(PdfFormatError);
  });

  it('refuses an object stream that claims to contain itself', () => {
    const bytes = writeRevision(Buffer.alloc(0), [[1, '<< /Type /Catalog >>']], {
      xref: 'stream',
      compressed: [[5, 5, 0]],
      trailer: '/Root 1 0 R',
    });
    expect(() => openPdf(bytes).getObject(5)).toThrow(PdfFormatError);
  });

  it('terminates on cyclic field and page trees', () => {
    const doc = openPdf(
      minimalPdf(
        [
          [4, '<< /Fields [5 0 R] >>'],
          [5, '<< /T (a) /FT /Sig /Kids [6 0 R] >>'],
          [6, '<< /T (b) /Parent 5 0 R /Kids [5 0 R 6 0 R] /Subtype /Widget >>'],
        ],
        '/AcroForm 4 0 R',
      ),
    );
    expect(findSignatures(doc)).toEqual([]);
  });

  it('handles every truncation of a signed file with a result or a PdfFormatError', () => {
    const bytes = readFileSync(
      path.join(corpus, 'pyhanko/pdf/minimal-signed-twice-no-sig-type.pdf'),
    );
    for (let length = 0; length < bytes.length; length += 97) {
      expect(exercise(bytes.subarray(0, length))).toMatch(/opened|refused/);
    }
  });

  it('handles random byte corruption with a result or a PdfFormatError', () => {
    const original = readFileSync(
      path.join(corpus, 'pyhanko/pdf/minimal-two-fields-signed-twice.pdf'),
    );
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(original);
      for (let k = 0; k < 8; k++) bytes[random() % bytes.length] = random() & 0xff;
      expect(exercise(bytes)).toMatch(/opened|refused/);
    }
  });
});
