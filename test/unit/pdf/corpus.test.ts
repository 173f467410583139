import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPdf, type PdfDocument } from '#pdf/document.ts';
import { isArray, isDict, isName, isRef, refKey } from '#pdf/objects.ts';
import { findSignatures } from '#pdf/signatures.ts';

const corpus = path.resolve(import.meta.dirname, '../../../../shared/corpus');
const pyhanko = (f: string) => `pyhanko/pdf/${f}`;
const dss = (f: string) => `dss/${f}`;
const open = (file: string) => openPdf(readFileSync(path.join(corpus, file)));

/** Object numbers qpdf lists as present (not free) in the file's cross-reference data. */
function qpdfObjects(file: string): number[] {
  const out = execFileSync('qpdf', ['--show-xref', path.join(corpus, file)], { encoding: 'utf8' });
  return [...out.matchAll(/^(\d+)\/\d+: /gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

const qpdfPages = (file: string): number =>
  Number(
    execFileSync('qpdf', ['--show-npages', path.join(corpus, file)], { encoding: 'utf8' }).trim(),
  );

/** Object numbers whose latest entry is not free. */
function presentObjects(doc: PdfDocument): number[] {
  const latest = new Map<number, string>();
  for (const r of doc.revisions) for (const [num, e] of r.entries) latest.set(num, e.type);
  return [...latest]
    .filter(([, type]) => type !== 'free')
    .map(([num]) => num)
    .sort((a, b) => a - b);
}

function countPages(doc: PdfDocument): number {
  let count = 0;
  const seen = new Set<string>();
  const stack = [doc.catalog().entries.get('Pages')];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isRef(node)) {
      if (seen.has(refKey(node))) continue;
      seen.add(refKey(node));
    }
    const d = doc.resolve(node);
    if (!isDict(d)) continue;
    const kids = doc.resolve(d.entries.get('Kids'));
    if (isName(d.entries.get('Type'), 'Pages') && isArray(kids)) stack.push(...kids.items);
    else count++;
  }
  return count;
}

describe('structure of corpus files, cross-checked with qpdf', () => {
  const cases: [file: string, revisions: number, lastKind: string][] = [
    [pyhanko('minimal.pdf'), 1, 'table'],
    [pyhanko('minimal-xref.pdf'), 1, 'stream'],
    [pyhanko('minimal-hybrid-xref.pdf'), 2, 'hybrid'],
    [pyhanko('minimal-hybrid-xref-mswordstyle.pdf'), 2, 'hybrid'],
    [pyhanko('minimal-hybrid-xref-weirdgen.pdf'), 2, 'hybrid'],
    [pyhanko('uncompressed-objstream-sample.pdf'), 1, 'stream'],
    [pyhanko('minimal-signed-twice-both-created.pdf'), 2, 'stream'],
    [pyhanko('pades-lta-dss-indirect-arrs-test.pdf'), 5, 'table'],
    [dss('pdf-xref-streams.pdf'), 1, 'stream'],
    [dss('PAdES-LT.pdf'), 8, 'table'],
  ];

  it.each(cases)(
    'reads %s as %i revision(s) with the objects and pages qpdf sees',
    (file, revisions, lastKind) => {
      const doc = open(file);
      expect(doc.revisions).toHaveLength(revisions);
      expect(doc.revisions.at(-1)?.xrefKind).toBe(lastKind);
      expect(doc.revisions.at(-1)?.endOffset).toBe(doc.bytes.length);
      expect(presentObjects(doc)).toEqual(qpdfObjects(file));
      expect(countPages(doc)).toBe(qpdfPages(file));
    },
  );

  it('reads every object of a file with object streams, as qpdf lists them', () => {
    const file = pyhanko('uncompressed-objstream-sample.pdf');
    const doc = open(file);
    const compressed = [...(doc.revisions[0]?.entries ?? [])].filter(
      ([, e]) => e.type === 'compressed',
    );
    expect(compressed.length).toBeGreaterThan(0);
    for (const num of qpdfObjects(file)) expect(doc.getObject(num)).not.toBeUndefined();
  });

  it('treats the first-page and main sections of a linearized file as one original revision', () => {
    const doc = open(pyhanko('minimal-signed-twice-second-created.pdf'));
    expect(doc.revisions).toHaveLength(2);
    expect(doc.revisions[0]?.endOffset).toBe(26343);
    expect(doc.revisions[1]?.xrefOffset).toBe(109546);
    expect(doc.revisions[0]?.xrefOffset).toBe(116);
  });
});

describe('revisions of signed corpus files line up with their signatures', () => {
  const signed: [file: string, signatures: number][] = [
    [pyhanko('minimal-signed-twice-both-created.pdf'), 2],
    [pyhanko('minimal-signed-twice-second-created.pdf'), 2],
    [pyhanko('minimal-signed-twice-no-sig-type.pdf'), 2],
    [pyhanko('minimal-two-fields-signed-twice.pdf'), 2],
    [pyhanko('pades-lta-dss-indirect-arrs-test.pdf'), 2],
    [dss('pades-5-signatures-and-1-document-timestamp.pdf'), 6],
    [dss('PAdES-LT.pdf'), 4],
  ];

  it.each(signed)('%s: every ByteRange ends where a revision ends', (file, count) => {
    const doc = open(file);
    const sigs = findSignatures(doc);
    expect(sigs).toHaveLength(count);
    const ends = new Set(doc.revisions.map((r) => r.endOffset));
    for (const s of sigs) {
      const [, , start2, length2] = s.byteRange;
      expect(ends.has((start2 ?? 0) + (length2 ?? 0))).toBe(true);
      expect(s.revision).toBeDefined();
      expect(doc.revisions[s.revision ?? -1]?.endOffset).toBe((start2 ?? 0) + (length2 ?? 0));
    }
    expect(Math.max(...sigs.map((s) => s.revision ?? -1))).toBeLessThanOrEqual(
      doc.revisions.length - 1,
    );
  });

  it('ends each revision of a twice-signed file exactly after its %%EOF line', () => {
    const doc = open(pyhanko('minimal-signed-twice-no-sig-type.pdf'));
    const sigs = findSignatures(doc);
    expect(doc.revisions.map((r) => r.endOffset)).toEqual([739, 10757, 20792]);
    expect(sigs.map((s) => s.revision)).toEqual([1, 2]);
    for (const r of doc.revisions) {
      expect(doc.bytes.toString('latin1', r.endOffset - 6, r.endOffset)).toBe('%%EOF\n');
    }
  });

  it('recovers the revisions of a file whose last /Prev is 0 by scanning for xref sections', () => {
    const doc = open(dss('pades-5-signatures-and-1-document-timestamp.pdf'));
    expect(doc.recovered).toBe(true);
    const sigs = findSignatures(doc);
    expect(sigs.filter((s) => s.type === 'Sig')).toHaveLength(5);
    expect(sigs.filter((s) => s.type === 'DocTimeStamp')).toHaveLength(1);
  });

  it('finds the /DSS and the document timestamp of a PAdES B-LTA file', () => {
    const doc = open(pyhanko('pades-lta-dss-indirect-arrs-test.pdf'));
    expect(isDict(doc.resolve(doc.catalog().entries.get('DSS')))).toBe(true);
    const sigs = findSignatures(doc);
    expect(sigs.map((s) => s.type)).toEqual(['Sig', 'DocTimeStamp']);
    expect(sigs[1]?.subFilter).toBe('ETSI.RFC3161');
  });
});
