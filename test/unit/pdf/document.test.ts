import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openPdf } from '#pdf/document.ts';
import { PdfFormatError } from '#pdf/errors.ts';
import { decodeFilters } from '#pdf/filters.ts';
import { isDict, isStream, type PdfObject } from '#pdf/objects.ts';
import { minimalPdf, writeRevision } from './pdf-factory.ts';

const endOfEofLines = (bytes: Buffer): number[] => {
  const out: number[] = [];
  for (let at = bytes.indexOf('%%EOF'); at >= 0; at = bytes.indexOf('%%EOF', at + 1))
    out.push(at + 6);
  return out;
};

const dictValue = (o: PdfObject | undefined, key: string) =>
  isDict(o) ? o.entries.get(key) : undefined;

describe('openPdf on a classic xref table', () => {
  it('reads the single revision and its objects', () => {
    const bytes = minimalPdf();
    const doc = openPdf(bytes);
    expect(doc.revisions).toHaveLength(1);
    expect(doc.revisions[0]).toMatchObject({
      index: 0,
      startOffset: 0,
      endOffset: bytes.length,
      xrefKind: 'table',
    });
    expect(dictValue(doc.catalog(), 'Type')).toEqual({ kind: 'name', value: 'Catalog' });
    expect(doc.encrypted).toBe(false);
  });

  it('gives each incremental update its own revision ending after its %%EOF line', () => {
    const v0 = minimalPdf([[4, '(first)']]);
    const v1 = writeRevision(v0, [[4, '(second)']], { trailer: '/Root 1 0 R' });
    const v2 = writeRevision(v1, [[5, '(new)']], { trailer: '/Root 1 0 R' });
    const doc = openPdf(v2);
    expect(doc.revisions.map((r) => r.endOffset)).toEqual(endOfEofLines(v2));
    expect(doc.revisions.map((r) => r.startOffset)).toEqual([0, v0.length, v1.length]);
    expect([...(doc.revisions[1]?.entries.keys() ?? [])]).toEqual([4]);
  });

  it('returns objects as of any revision', () => {
    const v0 = minimalPdf([[4, '(first)']]);
    const v1 = writeRevision(v0, [[4, '(second)']], { trailer: '/Root 1 0 R' });
    const doc = openPdf(v1);
    const text = (rev?: number) => {
      const o = doc.getObject(4, 0, rev);
      return typeof o === 'object' && o?.kind === 'string' ? o.bytes.toString() : undefined;
    };
    expect(text(0)).toBe('first');
    expect(text(1)).toBe('second');
    expect(text()).toBe('second');
    expect(doc.getObject(4, 1)).toBeUndefined();
    expect(doc.getObject(99)).toBeUndefined();
  });

  it('hides an object freed in a later revision', () => {
    const v0 = minimalPdf([[4, '(gone soon)']]);
    const update = Buffer.from(
      `xref\n4 1\n0000000000 00001 f \ntrailer\n<< /Size 5 /Root 1 0 R /Prev ${openPdf(v0).revisions[0]?.xrefOffset} >>\nstartxref\n${v0.length}\n%%EOF\n`,
    );
    const doc = openPdf(Buffer.concat([v0, update]));
    expect(doc.getObject(4, undefined, 0)).toBeDefined();
    expect(doc.getObject(4)).toBeUndefined();
  });

  it('locates an object definition in the file', () => {
    const bytes = minimalPdf([[4, '<< /Contents <00FF> >>']]);
    const span = openPdf(bytes).objectSpan(4);
    expect(span && bytes.toString('latin1', span.start, span.end)).toBe(
      '4 0 obj\n<< /Contents <00FF> >>\nendobj',
    );
  });

  it('parses objects only when asked for them', () => {
    const bytes = minimalPdf([[4, '<< /Broken [ ']]);
    const doc = openPdf(bytes);
    expect(isDict(doc.getObject(1))).toBe(true);
    expect(() => doc.getObject(4)).toThrow(PdfFormatError);
  });

  it('refuses an object whose header does not match its xref entry', () => {
    const bytes = Buffer.from(
      minimalPdf().toString('latin1').replace('3 0 obj', '9 0 obj'),
      'latin1',
    );
    expect(() => openPdf(bytes).getObject(3)).toThrow(PdfFormatError);
  });

  it('memoises objects per revision-visible entry', () => {
    const doc = openPdf(minimalPdf());
    expect(doc.getObject(2)).toBe(doc.getObject(2, 0, 0));
  });
});

describe('openPdf on xref streams', () => {
  it('reads an xref stream encoded with the PNG Up predictor', () => {
    const bytes = writeRevision(
      Buffer.alloc(0),
      [
        [1, '<< /Type /Catalog /Pages 2 0 R >>'],
        [2, '<< /Type /Pages /Kids [] /Count 0 >>'],
      ],
      { xref: 'stream', pngUp: true, trailer: '/Root 1 0 R' },
    );
    const doc = openPdf(bytes);
    expect(doc.revisions[0]?.xrefKind).toBe('stream');
    expect(dictValue(doc.trailer(), 'Type')).toEqual({ kind: 'name', value: 'XRef' });
    expect(dictValue(doc.catalog(), 'Pages')).toEqual({ kind: 'ref', num: 2, gen: 0 });
  });

  it('reads objects from an object stream', () => {
    const members = '<< /Type /Catalog /Pages 2 0 R >> << /Type /Pages /Kids [] /Count 0 >>';
    const header = '1 0 2 34 ';
    const data = deflateSync(Buffer.from(header + members));
    const objStm = Buffer.concat([
      Buffer.from(
        `<< /Type /ObjStm /N 2 /First ${header.length} /Filter /FlateDecode /Length ${data.length} >>\nstream\n`,
      ),
      data,
      Buffer.from('\nendstream'),
    ]);
    const bytes = writeRevision(Buffer.alloc(0), [[5, objStm]], {
      xref: 'stream',
      compressed: [
        [1, 5, 0],
        [2, 5, 1],
      ],
      trailer: '/Root 1 0 R',
    });
    const doc = openPdf(bytes);
    expect(doc.revisions[0]?.entries.get(2)).toEqual({
      type: 'compressed',
      gen: 0,
      objStm: 5,
      index: 1,
    });
    expect(dictValue(doc.getObject(2), 'Type')).toEqual({ kind: 'name', value: 'Pages' });
    expect(dictValue(doc.catalog(), 'Type')).toEqual({ kind: 'name', value: 'Catalog' });
    expect(doc.objectSpan(2)).toBeUndefined();
  });

  it('merges a hybrid file’s /XRefStm into the revision, letting it fill free table entries', () => {
    const base = minimalPdf();
    const streamRev = writeRevision(base, [[4, '(in stream)']], { xref: 'stream', xrefNum: 6 });
    const streamXref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(streamRev.toString('latin1'))?.[1]);
    const prev = openPdf(base).revisions[0]?.xrefOffset;
    const tableAt = streamRev.length;
    const table = `xref\n4 1\n0000000000 00000 f \ntrailer\n<< /Size 7 /Root 1 0 R /Prev ${prev} /XRefStm ${streamXref} >>\nstartxref\n${tableAt}\n%%EOF\n`;
    const doc = openPdf(Buffer.concat([streamRev, Buffer.from(table)]));
    expect(doc.revisions).toHaveLength(2);
    expect(doc.revisions[1]?.xrefKind).toBe('hybrid');
    const v = doc.getObject(4);
    expect(typeof v === 'object' && v?.kind === 'string' && v.bytes.toString()).toBe('in stream');
  });
});

describe('decodeStream', () => {
  const streamDoc = (dictExtra: string, data: Buffer) =>
    openPdf(
      minimalPdf([
        [
          4,
          Buffer.concat([
            Buffer.from(`<< /Length ${data.length} ${dictExtra} >>\nstream\n`),
            data,
            Buffer.from('\nendstream'),
          ]),
        ],
      ]),
    );
  const decode4 = (doc: ReturnType<typeof openPdf>) => {
    const s = doc.getObject(4);
    if (!isStream(s)) throw new Error('not a stream');
    return doc.decodeStream(s);
  };

  it('decodes Flate, ASCIIHex and ASCII85 chains', () => {
    const hex = Buffer.from(
      `${deflateSync(Buffer.from('Hello, world')).toString('hex').toUpperCase()}>`,
    );
    expect(decode4(streamDoc('/Filter [/ASCIIHexDecode /FlateDecode]', hex)).toString()).toBe(
      'Hello, world',
    );
    expect(
      decode4(streamDoc('/Filter /ASCII85Decode', Buffer.from('87cURD]i,"Ebo7~>'))).toString(),
    ).toBe('Hello World');
    expect(decode4(streamDoc('', Buffer.from('raw')))).toEqual(Buffer.from('raw'));
  });

  it('undoes the TIFF predictor', () => {
    const params = {
      kind: 'dict',
      entries: new Map<string, PdfObject>([
        ['Predictor', 2],
        ['Columns', 3],
      ]),
    } as const;
    const out = decodeFilters(
      deflateSync(Buffer.from([1, 1, 1, 5, 0, 0])),
      [{ name: 'FlateDecode', params }],
      100,
    );
    expect([...out]).toEqual([1, 2, 3, 5, 5, 5]);
  });

  it('refuses unsupported filters', () => {
    expect(() => decode4(streamDoc('/Filter /JBIG2Decode', Buffer.from('x')))).toThrow(
      PdfFormatError,
    );
  });

  it('stops a zip bomb at the output cap', () => {
    const bomb = deflateSync(Buffer.alloc(16 * 1024 * 1024));
    const doc = openPdf(
      minimalPdf([
        [
          4,
          Buffer.concat([
            Buffer.from(`<< /Length ${bomb.length} /Filter /FlateDecode >>\nstream\n`),
            bomb,
            Buffer.from('\nendstream'),
          ]),
        ],
      ]),
      { maxDecodedStreamBytes: 1024 * 1024 },
    );
    const s = doc.getObject(4);
    expect(isStream(s) && (() => doc.decodeStream(s))).toThrow(PdfFormatError);
  });
});

describe('wrong object offsets', () => {
  it('finds an object whose xref offset is wrong by its header inside the same revision', () => {
    const v0 = minimalPdf([[4, '(old)']]);
    const v1 = writeRevision(v0, [[4, '(new)']], { trailer: '/Root 1 0 R' });
    const text = v1.toString('latin1');
    const entry = String(v0.length).padStart(10, '0');
    const broken = Buffer.from(
      text.replace(`${entry} 00000 n`, `${String(v0.length + 3).padStart(10, '0')} 00000 n`),
      'latin1',
    );
    const o = openPdf(broken).getObject(4);
    expect(typeof o === 'object' && o?.kind === 'string' && o.bytes.toString()).toBe('new');
  });
});
