import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPdf } from '#pdf/document.ts';
import { IncrementalUpdate, PdfWriteError } from '#pdf/incremental-writer.ts';
import { dict, isArray, isDict, isString, name, type PdfString, ref, str } from '#pdf/objects.ts';
import { minimalPdf, writeRevision } from '#test/unit/pdf/pdf-factory.ts';

const corpus = path.resolve(import.meta.dirname, '../../../../shared/corpus');
const corpusFile = (file: string) => readFileSync(path.join(corpus, file));

function withXrefStream(): Buffer {
  return writeRevision(
    Buffer.alloc(0),
    [
      [1, '<< /Type /Catalog /Pages 2 0 R >>'],
      [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
      [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'],
    ],
    { xref: 'stream', trailer: '/Root 1 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00>]' },
  );
}

describe('IncrementalUpdate', () => {
  it('appends a revision after the untouched original bytes and the reader sees the change', () => {
    const original = minimalPdf();
    const doc = openPdf(original);
    const update = new IncrementalUpdate(doc);
    const added = update.allocate();
    update.set(added, dict({ Note: str('new') }));
    update.set(ref(3), dict({ Type: name('Page'), Parent: ref(2), Extra: added }));

    const { pdf, xrefKind } = update.write();

    expect(pdf.subarray(0, original.length).equals(original)).toBe(true);
    expect(xrefKind).toBe('table');
    const reopened = openPdf(pdf);
    expect(reopened.revisions).toHaveLength(2);
    expect(reopened.revisions[0]?.endOffset).toBe(original.length);
    expect(added.num).toBe(4);
    const page = reopened.getObject(3);
    expect(isDict(page) && page.entries.get('Extra')).toEqual(added);
    const note = reopened.resolve(ref(4));
    expect(isDict(note) && note.entries.get('Note')).toEqual(str('new'));
    expect(reopened.getObject(1, 0, 0)).toEqual(doc.getObject(1));
  });

  it('writes a classic table with /Prev and /Size when the last section is a table', () => {
    const original = minimalPdf();
    const doc = openPdf(original);
    const update = new IncrementalUpdate(doc);
    update.set(update.allocate(), 42);

    const { pdf, xrefOffset } = update.write();

    const tail = pdf.subarray(original.length).toString('latin1');
    expect(tail).toMatch(/\nxref\n4 1\n\d{10} 00000 n\r\n/);
    expect(pdf.toString('latin1', xrefOffset, xrefOffset + 4)).toBe('xref');
    const trailer = openPdf(pdf).trailer();
    expect(trailer.entries.get('Prev')).toBe(doc.revisions[0]?.xrefOffset);
    expect(trailer.entries.get('Size')).toBe(5);
    expect(trailer.entries.get('Root')).toEqual(ref(1));
    expect(tail.endsWith(`startxref\n${xrefOffset}\n%%EOF\n`)).toBe(true);
  });

  it('writes an xref stream when the last section is a stream, keeping /ID[0] and changing /ID[1]', () => {
    const original = withXrefStream();
    const doc = openPdf(original);
    const update = new IncrementalUpdate(doc);
    update.set(ref(3), dict({ Type: name('Page'), Parent: ref(2), Rotate: 90 }));

    const { pdf, xrefKind } = update.write();

    expect(xrefKind).toBe('stream');
    const reopened = openPdf(pdf);
    const last = reopened.revisions[1];
    expect(last?.xrefKind).toBe('stream');
    expect(last?.entries.get(3)?.type).toBe('inuse');
    const page = reopened.getObject(3);
    expect(isDict(page) && page.entries.get('Rotate')).toBe(90);
    const [id0, id1] = idOf(reopened.trailer());
    expect(id0?.bytes.toString('hex')).toBe('00112233445566778899aabbccddeeff');
    expect(id1?.bytes.toString('hex')).not.toBe('00');
    expect(reopened.trailer().entries.get('Size')).toBe(
      Math.max(...(last ? [...last.entries.keys()] : [])) + 1,
    );
  });

  it('answers a hybrid file with a classic table that chains to the hybrid section', () => {
    const original = corpusFile('pyhanko/pdf/minimal-hybrid-xref.pdf');
    const doc = openPdf(original);
    const update = new IncrementalUpdate(doc);
    const added = update.allocate();
    update.set(added, str('x'));

    const { pdf, xrefKind } = update.write();

    expect(xrefKind).toBe('table');
    const reopened = openPdf(pdf);
    expect(reopened.revisions).toHaveLength(doc.revisions.length + 1);
    expect(reopened.catalog()).toEqual(doc.catalog());
    expect(reopened.getObject(added.num)).toEqual(str('x'));
  });

  it('writes stream objects with their data and a correct /Length', () => {
    const doc = openPdf(minimalPdf());
    const update = new IncrementalUpdate(doc);
    const target = update.allocate();
    update.set(target, {
      kind: 'stream-data',
      dict: dict({ Length: 0 }),
      data: Buffer.from('q Q'),
    });

    const reopened = openPdf(update.write().pdf);
    const stream = reopened.getObject(target.num);
    expect(stream && typeof stream === 'object' && stream.kind === 'stream').toBe(true);
    if (stream && typeof stream === 'object' && stream.kind === 'stream') {
      expect(reopened.decodeStream(stream).toString()).toBe('q Q');
    }
  });

  it('adds an end-of-line first when the original does not end with one', () => {
    const original = minimalPdf();
    const trimmed = original.subarray(0, original.length - 1);
    const update = new IncrementalUpdate(openPdf(trimmed));
    update.set(update.allocate(), 1);

    const { pdf } = update.write();

    expect(pdf.subarray(0, trimmed.length).equals(trimmed)).toBe(true);
    expect(pdf[trimmed.length]).toBe(0x0a);
    expect(openPdf(pdf).revisions).toHaveLength(2);
  });

  it('numbers new objects above every number the file uses, even past a wrong /Size', () => {
    const original = writeRevision(
      Buffer.alloc(0),
      [
        [1, '<< /Type /Catalog /Pages 2 0 R >>'],
        [2, '<< /Type /Pages /Kids [] /Count 0 >>'],
        [9, '(stray)'],
      ],
      { trailer: '/Root 1 0 R /Size 3' },
    );
    const update = new IncrementalUpdate(openPdf(original));

    expect(update.allocate().num).toBe(10);
  });

  it('refuses encrypted documents and numbers it did not allocate', () => {
    expect(() => new IncrementalUpdate(openPdf(corpusFile('dss/encrypted.pdf')))).toThrow(
      PdfWriteError,
    );
    const update = new IncrementalUpdate(openPdf(minimalPdf()));
    expect(() => update.set(ref(99), 1)).toThrow(PdfWriteError);
  });

  it('keeps the object count of the written section to the objects set', () => {
    const doc = openPdf(minimalPdf());
    const update = new IncrementalUpdate(doc);
    update.set(update.allocate(), 1);
    update.set(update.allocate(), 2);

    const reopened = openPdf(update.write().pdf);

    expect([...(reopened.revisions[1]?.entries.keys() ?? [])].sort()).toEqual([4, 5]);
    const ids = reopened.trailer().entries.get('ID');
    expect(isArray(ids) && ids.items.length).toBe(2);
  });
});

function idOf(trailer: ReturnType<ReturnType<typeof openPdf>['trailer']>): PdfString[] {
  const id = trailer.entries.get('ID');
  return isArray(id) ? id.items.filter(isString) : [];
}
