import { PdfFormatError } from './errors.ts';
import { decodeFilters, filterSteps } from './filters.ts';
import { isTokenEnd, Lexer } from './lexer.ts';
import {
  isArray,
  isDict,
  isName,
  isRef,
  isStream,
  type PdfDict,
  type PdfObject,
  type PdfStream,
} from './objects.ts';
import {
  defaultParserLimits,
  type IndirectObject,
  Parser,
  parseIndirectObjectAt,
  type Span,
} from './parser.ts';
import { defaultXrefLimits, type Revision, readRevisions, type XrefEntry } from './xref.ts';

export type { Revision, XrefEntry } from './xref.ts';

/** Limits for one opened document; defaults suit a Lambda with 1–3 GB of memory. */
export interface OpenPdfOptions {
  /** Most cross-reference entries over all revisions. @default 2_000_000 */
  readonly maxObjects?: number;
  /** Largest decoded stream (each filter step is capped too). @default 128 MiB */
  readonly maxDecodedStreamBytes?: number;
}

/** A parsed PDF file: its revisions and on-demand access to its objects as of any revision. */
export interface PdfDocument {
  readonly bytes: Buffer;
  readonly revisions: readonly Revision[];
  /** The trailer has /Encrypt. */
  readonly encrypted: boolean;
  /**
   * The /Prev chain was broken and the revisions were rebuilt by scanning the file for
   * cross-reference sections; validators may want to treat such a file with suspicion.
   */
  readonly recovered?: boolean;
  /** Object as of a revision (default: the last), following the xref chain from that revision backwards. */
  getObject(num: number, gen?: number, revision?: number): PdfObject | undefined;
  /** Follow references (bounded chain) as of a revision. */
  resolve(o: PdfObject | undefined, revision?: number): PdfObject | undefined;
  trailer(revision?: number): PdfDict;
  /** The document catalog; throws PdfFormatError if missing. */
  catalog(revision?: number): PdfDict;
  /**
   * Decoded data of a stream (FlateDecode with predictors, ASCIIHex, ASCII85, none); throws on
   * unsupported filters or when the output exceeds the cap (zip bombs).
   */
  decodeStream(s: PdfStream): Buffer;
  /**
   * Where an indirect object's definition lies in the file ("n g obj" ... "endobj"), for objects
   * stored directly (not in object streams).
   */
  objectSpan(num: number, revision?: number): { start: number; end: number } | undefined;
}

const MAX_REF_CHAIN = 32;
const MAX_LOAD_DEPTH = 8;
const MAX_OBJSTM_OBJECTS = 1_000_000;

interface ObjectStream {
  readonly data: Buffer;
  readonly first: number;
  /** Object number and offset (relative to /First) of each member, by index. */
  readonly members: readonly { num: number; offset: number }[];
}

/**
 * Opens a PDF for reading: reads the cross-reference sections and trailers only. Objects are
 * parsed when first asked for and memoised per cross-reference entry, so a 50 MB file costs
 * little more than its xref data until someone walks it.
 */
export function openPdf(bytes: Buffer, options: OpenPdfOptions = {}): PdfDocument {
  const maxDecodedStreamBytes =
    options.maxDecodedStreamBytes ?? defaultXrefLimits.maxDecodedStreamBytes;
  const { revisions, recovered } = readRevisions(bytes, {
    ...defaultXrefLimits,
    maxObjects: options.maxObjects ?? defaultXrefLimits.maxObjects,
    maxDecodedStreamBytes,
  });
  if (revisions.length === 0) throw new PdfFormatError('no cross-reference section');
  return new LazyPdfDocument(bytes, revisions, recovered, maxDecodedStreamBytes);
}

class LazyPdfDocument implements PdfDocument {
  readonly bytes: Buffer;
  readonly revisions: readonly Revision[];
  readonly encrypted: boolean;
  readonly recovered: boolean;
  private readonly maxDecodedStreamBytes: number;
  private readonly direct = new Map<XrefEntry, IndirectObject>();
  private readonly compressed = new Map<XrefEntry, PdfObject>();
  private readonly objectStreams = new Map<XrefEntry, ObjectStream>();
  private readonly loading = new Set<XrefEntry>();
  private depth = 0;

  constructor(
    bytes: Buffer,
    revisions: readonly Revision[],
    recovered: boolean,
    maxDecodedStreamBytes: number,
  ) {
    this.bytes = bytes;
    this.revisions = revisions;
    this.recovered = recovered;
    this.maxDecodedStreamBytes = maxDecodedStreamBytes;
    this.encrypted = revisions.some((r) => r.trailer.entries.has('Encrypt'));
  }

  private get last(): number {
    return this.revisions.length - 1;
  }

  private revisionIndex(revision: number | undefined): number {
    const r = revision ?? this.last;
    if (!Number.isInteger(r) || r < 0 || r > this.last) {
      throw new PdfFormatError(`no revision ${r} in this document`);
    }
    return r;
  }

  /** The entry that defines `num` as of `revision`, and the revision that wrote it. */
  private visibleEntry(
    num: number,
    revision: number,
  ): { entry: XrefEntry; revision: number } | undefined {
    for (let r = revision; r >= 0; r--) {
      const entry = this.revisions[r]?.entries.get(num);
      if (entry) return { entry, revision: r };
    }
    return undefined;
  }

  getObject(num: number, gen?: number, revision?: number): PdfObject | undefined {
    const rev = this.revisionIndex(revision);
    const found = this.visibleEntry(num, rev);
    if (!found || found.entry.type === 'free') return undefined;
    const { entry } = found;
    if (gen !== undefined && gen !== entry.gen) return undefined;
    if (entry.type === 'inuse') return this.loadDirect(num, entry, found.revision).value;
    return this.loadCompressed(num, entry, found.revision);
  }

  private guard<T>(entry: XrefEntry, load: () => T): T {
    if (this.loading.has(entry) || this.depth >= MAX_LOAD_DEPTH) {
      throw new PdfFormatError('object definitions refer to each other in a loop');
    }
    this.loading.add(entry);
    this.depth++;
    try {
      return load();
    } catch (error) {
      if (error instanceof PdfFormatError) throw error;
      throw new PdfFormatError('unreadable object', { cause: error });
    } finally {
      this.depth--;
      this.loading.delete(entry);
    }
  }

  private loadDirect(num: number, entry: XrefEntry, revision: number): IndirectObject {
    const cached = this.direct.get(entry);
    if (cached) return cached;
    const offset = entry.offset ?? -1;
    const parseAt = (at: number) =>
      parseIndirectObjectAt(this.bytes, at, {
        resolveLength: (r) => {
          try {
            const v = this.resolve(r, revision);
            return typeof v === 'number' ? v : undefined;
          } catch {
            return undefined;
          }
        },
      });
    const obj = this.guard(entry, () => {
      let problem: PdfFormatError;
      try {
        const found = parseAt(offset);
        if (found.num === num && found.gen === entry.gen) return found;
        problem = new PdfFormatError(
          `object ${num} ${entry.gen} expected, found ${found.num} ${found.gen}`,
          { offset },
        );
      } catch (error) {
        if (!(error instanceof PdfFormatError)) throw error;
        problem = error;
      }
      // A wrong offset: look for the object's header inside the revision that wrote it.
      const at = this.searchHeader(num, entry.gen, revision);
      if (at === undefined) throw problem;
      const found = parseAt(at);
      if (found.num !== num || found.gen !== entry.gen) throw problem;
      return found;
    });
    this.direct.set(entry, obj);
    return obj;
  }

  private searchHeader(num: number, gen: number, revision: number): number | undefined {
    const rev = this.revisions[revision];
    if (!rev) return undefined;
    const needle = Buffer.from(`${num} ${gen} obj`, 'latin1');
    let last: number | undefined;
    for (
      let at = this.bytes.indexOf(needle, rev.startOffset);
      at >= 0 && at < rev.endOffset;
      at = this.bytes.indexOf(needle, at + 1)
    ) {
      if (at === 0 || isTokenEnd(this.bytes[at - 1])) last = at;
    }
    return last;
  }

  private loadCompressed(num: number, entry: XrefEntry, revision: number): PdfObject {
    if (this.compressed.has(entry)) return this.compressed.get(entry) ?? null;
    const value = this.guard(entry, () => {
      const stm = this.loadObjectStream(entry.objStm ?? -1, revision);
      const index = entry.index ?? -1;
      let member = stm.members[index];
      if (!member || member.num !== num) member = stm.members.find((m) => m.num === num);
      if (!member) throw new PdfFormatError(`object ${num} not found in its object stream`);
      const lexer = new Lexer(stm.data, stm.first + member.offset);
      return new Parser(lexer, defaultParserLimits).parseObject();
    });
    this.compressed.set(entry, value);
    return value;
  }

  private loadObjectStream(num: number, revision: number): ObjectStream {
    const found = this.visibleEntry(num, revision);
    if (found?.entry.type !== 'inuse') {
      throw new PdfFormatError(`object stream ${num} is missing`);
    }
    const cached = this.objectStreams.get(found.entry);
    if (cached) return cached;
    const stream = this.loadDirect(num, found.entry, found.revision).value;
    if (!isStream(stream) || !isName(stream.dict.entries.get('Type'), 'ObjStm')) {
      throw new PdfFormatError(`object ${num} is not an object stream`);
    }
    const n = this.resolve(stream.dict.entries.get('N'), found.revision);
    const first = this.resolve(stream.dict.entries.get('First'), found.revision);
    if (
      typeof n !== 'number' ||
      typeof first !== 'number' ||
      !Number.isInteger(n) ||
      !Number.isInteger(first) ||
      n < 0 ||
      n > MAX_OBJSTM_OBJECTS ||
      first < 0
    ) {
      throw new PdfFormatError(`object stream ${num} has an invalid /N or /First`);
    }
    const data = this.decodeStream(stream);
    if (first > data.length) throw new PdfFormatError(`object stream ${num} has an invalid /First`);
    const lexer = new Lexer(data, 0, first);
    const members: { num: number; offset: number }[] = [];
    for (let i = 0; i < n; i++) {
      const a = lexer.next();
      const b = lexer.next();
      if (a.type !== 'int' || b.type !== 'int' || a.value < 0 || b.value < 0) {
        throw new PdfFormatError(`object stream ${num} has a malformed header`);
      }
      members.push({ num: a.value, offset: b.value });
    }
    const result = { data, first, members };
    this.objectStreams.set(found.entry, result);
    return result;
  }

  resolve(o: PdfObject | undefined, revision?: number): PdfObject | undefined {
    let current = o;
    for (let i = 0; i < MAX_REF_CHAIN; i++) {
      if (!isRef(current)) return current;
      current = this.getObject(current.num, current.gen, revision);
    }
    if (isRef(current)) throw new PdfFormatError('reference chain too long');
    return current;
  }

  trailer(revision?: number): PdfDict {
    const r = this.revisionIndex(revision);
    const rev = this.revisions[r];
    if (!rev) throw new PdfFormatError(`no revision ${r} in this document`);
    return rev.trailer;
  }

  catalog(revision?: number): PdfDict {
    const r = this.revisionIndex(revision);
    for (let i = r; i >= 0; i--) {
      const root = this.revisions[i]?.trailer.entries.get('Root');
      if (root === undefined) continue;
      const catalog = this.resolve(root, r);
      if (isDict(catalog)) return catalog;
      break;
    }
    throw new PdfFormatError('the document has no catalog');
  }

  decodeStream(s: PdfStream): Buffer {
    const { dataOffset, dataLength } = s;
    if (
      !Number.isSafeInteger(dataOffset) ||
      !Number.isSafeInteger(dataLength) ||
      dataOffset < 0 ||
      dataLength < 0 ||
      dataOffset + dataLength > this.bytes.length
    ) {
      throw new PdfFormatError('stream data outside the file');
    }
    const raw = this.bytes.subarray(dataOffset, dataOffset + dataLength);
    const resolveItems = (o: PdfObject | undefined): PdfObject | undefined => {
      const v = this.resolve(o);
      return isArray(v) ? { kind: 'array', items: v.items.map((i) => this.resolve(i) ?? null) } : v;
    };
    const steps = filterSteps(
      resolveItems(s.dict.entries.get('Filter')),
      resolveItems(s.dict.entries.get('DecodeParms')),
    );
    return decodeFilters(raw, steps, this.maxDecodedStreamBytes);
  }

  objectSpan(num: number, revision?: number): Span | undefined {
    const found = this.visibleEntry(num, this.revisionIndex(revision));
    if (found?.entry.type !== 'inuse') return undefined;
    const obj = this.loadDirect(num, found.entry, found.revision);
    return { start: obj.start, end: obj.end };
  }

  /** Spans of a directly stored object's top-level dictionary values. */
  keySpans(num: number, revision?: number): ReadonlyMap<string, Span> | undefined {
    const found = this.visibleEntry(num, this.revisionIndex(revision));
    if (found?.entry.type !== 'inuse') return undefined;
    return this.loadDirect(num, found.entry, found.revision).keySpans;
  }

  /** The revision that last wrote `num` as of `revision`. */
  writtenIn(num: number, revision?: number): number | undefined {
    return this.visibleEntry(num, this.revisionIndex(revision))?.revision;
  }
}

/** Where a directly stored object's top-level dictionary values lie, for documents from openPdf. */
export function objectKeySpans(
  doc: PdfDocument,
  num: number,
  revision?: number,
): ReadonlyMap<string, Span> | undefined {
  return doc instanceof LazyPdfDocument ? doc.keySpans(num, revision) : undefined;
}

/** The revision that last wrote object `num` as of `revision` (default: the last). */
export function revisionWriting(
  doc: PdfDocument,
  num: number,
  revision?: number,
): number | undefined {
  if (doc instanceof LazyPdfDocument) return doc.writtenIn(num, revision);
  const last = revision ?? doc.revisions.length - 1;
  for (let r = last; r >= 0; r--) if (doc.revisions[r]?.entries.has(num)) return r;
  return undefined;
}
