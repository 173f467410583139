import type { PdfDocument, Revision, XrefEntry } from '#pdf/document.ts';
import {
  arr,
  dict,
  isRef,
  name,
  type PdfDict,
  type PdfObject,
  type PdfStream,
  ref,
  str,
} from '#pdf/objects.ts';

/** Objects one revision writes: a value, or `'free'` for a free entry. Keys are object numbers (gen 0). */
export type RevisionObjects = Record<number, PdfObject | 'free'>;

export interface FakeRevision {
  readonly objects: RevisionObjects;
  /** Trailer keys of this revision; /Root and /Info default to the previous revision's. */
  readonly trailer?: Record<string, PdfObject>;
}

/**
 * An in-memory PdfDocument over a list of revisions. Stream data lives in one shared buffer,
 * uncompressed, so `decodeStream` returns it as is.
 */
export class FakePdf {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  stream(entries: Record<string, PdfObject>, data: string): PdfStream {
    const bytes = Buffer.from(data, 'latin1');
    const dataOffset = this.length;
    this.chunks.push(bytes);
    this.length += bytes.length;
    return {
      kind: 'stream',
      dict: dict({ ...entries, Length: bytes.length }),
      dataOffset,
      dataLength: bytes.length,
    };
  }

  build(revisions: readonly FakeRevision[]): PdfDocument {
    const bytes = Buffer.concat(this.chunks);
    const trailers: PdfDict[] = [];
    const revs: Revision[] = revisions.map((r, index) => {
      const entries = new Map<number, XrefEntry>();
      for (const [num, value] of Object.entries(r.objects)) {
        entries.set(Number(num), { type: value === 'free' ? 'free' : 'inuse', gen: 0 });
      }
      const previous = trailers[index - 1];
      const inherited: Record<string, PdfObject> = {};
      for (const key of ['Root', 'Info']) {
        const v = previous?.entries.get(key);
        if (v !== undefined) inherited[key] = v;
      }
      const trailer = dict({ ...inherited, ...r.trailer, Size: 100 });
      trailers.push(trailer);
      return {
        index,
        startOffset: 0,
        endOffset: 0,
        xrefOffset: -1,
        xrefKind: 'table',
        trailer,
        entries,
      };
    });
    const last = revisions.length - 1;
    const getObject = (num: number, gen = 0, revision = last): PdfObject | undefined => {
      for (let i = Math.min(revision, last); i >= 0; i--) {
        const value = revisions[i]?.objects[num];
        if (value === undefined) continue;
        if (value === 'free' || gen !== 0) return undefined;
        return value;
      }
      return undefined;
    };
    const trailerOf = (revision = last): PdfDict => trailers[revision] ?? dict();
    const resolve = (o: PdfObject | undefined, revision = last) =>
      isRef(o) ? getObject(o.num, o.gen, revision) : o;
    return {
      bytes,
      revisions: revs,
      encrypted: false,
      getObject,
      resolve,
      trailer: trailerOf,
      catalog: (revision = last) => {
        const c = resolve(trailerOf(revision).entries.get('Root'), revision);
        return c !== null && typeof c === 'object' && c.kind === 'dict' ? c : dict();
      },
      decodeStream: (s: PdfStream) => bytes.subarray(s.dataOffset, s.dataOffset + s.dataLength),
      objectSpan: () => undefined,
    };
  }
}

const rect = (x1: number, y1: number, x2: number, y2: number) => arr([x1, y1, x2, y2]);

/**
 * A signed two-page document as its signing revision 0 left it:
 * 1 catalog (direct /AcroForm), 2 pages, 3 and 13 pages, 4 and 14 contents, 5 signed field Sig1
 * with signature 6, 7 text field "Name" with appearance 9, 8 a font, 10 Info.
 */
export function signedDocument(pdf: FakePdf): RevisionObjects {
  return {
    1: dict({
      Type: name('Catalog'),
      Pages: ref(2),
      AcroForm: dict({ Fields: arr([ref(5), ref(7)]), SigFlags: 3 }),
    }),
    2: dict({ Type: name('Pages'), Kids: arr([ref(3), ref(13)]), Count: 2 }),
    3: dict({
      Type: name('Page'),
      Parent: ref(2),
      MediaBox: rect(0, 0, 595, 842),
      Contents: ref(4),
      Resources: dict({ Font: dict({ F1: ref(8) }) }),
      Annots: arr([ref(5), ref(7)]),
    }),
    4: pdf.stream({}, 'BT /F1 12 Tf 72 700 Td (Quyet dinh so 12) Tj ET'),
    5: dict({
      FT: name('Sig'),
      T: str('Sig1'),
      V: ref(6),
      Type: name('Annot'),
      Subtype: name('Widget'),
      Rect: rect(0, 0, 0, 0),
      P: ref(3),
    }),
    6: dict({
      Type: name('Sig'),
      Filter: name('Adobe.PPKLite'),
      ByteRange: arr([0, 10, 20, 30]),
      Contents: str('sig', true),
    }),
    7: dict({
      FT: name('Tx'),
      T: str('Name'),
      V: str('Nguyen Van A'),
      Type: name('Annot'),
      Subtype: name('Widget'),
      Rect: rect(10, 10, 200, 30),
      P: ref(3),
      AP: dict({ N: ref(9) }),
    }),
    8: dict({ Type: name('Font'), Subtype: name('Type1'), BaseFont: name('Helvetica') }),
    9: pdf.stream(
      { Type: name('XObject'), Subtype: name('Form'), BBox: rect(0, 0, 190, 20) },
      'BT /F1 10 Tf (Nguyen Van A) Tj ET',
    ),
    10: dict({ Producer: str('edoc-hub') }),
    13: dict({
      Type: name('Page'),
      Parent: ref(2),
      MediaBox: rect(0, 0, 595, 842),
      Contents: ref(14),
    }),
    14: pdf.stream({}, 'BT /F1 12 Tf 72 700 Td (Trang 2) Tj ET'),
  };
}

export const signedTrailer = { Root: ref(1), Info: ref(10) };

/** The catalog of `signedDocument` with other entries merged in. */
export function catalogWith(
  extra: Record<string, PdfObject>,
  fields: PdfObject[] = [ref(5), ref(7)],
): PdfDict {
  return dict({
    Type: name('Catalog'),
    Pages: ref(2),
    AcroForm: dict({ Fields: arr(fields), SigFlags: 3 }),
    ...extra,
  });
}

/** Page 1 of `signedDocument` with other entries merged in. */
export function page1With(extra: Record<string, PdfObject>): PdfDict {
  return dict({
    Type: name('Page'),
    Parent: ref(2),
    MediaBox: rect(0, 0, 595, 842),
    Contents: ref(4),
    Resources: dict({ Font: dict({ F1: ref(8) }) }),
    Annots: arr([ref(5), ref(7)]),
    ...extra,
  });
}

export { rect };
