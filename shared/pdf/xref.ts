import { PdfFormatError } from './errors.ts';
import { decodeFilters, filterSteps } from './filters.ts';
import { isTokenEnd, isWhitespace, Lexer } from './lexer.ts';
import { isArray, isDict, isName, isStream, type PdfDict, type PdfObject } from './objects.ts';
import { defaultParserLimits, Parser, parseIndirectObjectAt } from './parser.ts';

/** Where one object lives, as a cross-reference section says (§7.5.4, §7.5.8.3). */
export interface XrefEntry {
  readonly type: 'free' | 'inuse' | 'compressed';
  readonly gen: number;
  /** File offset of `n g obj`, for `inuse` entries. */
  readonly offset?: number;
  /** Object number of the object stream holding it, for `compressed` entries. */
  readonly objStm?: number;
  /** Index inside that object stream, for `compressed` entries. */
  readonly index?: number;
}

/** One revision of the file: the original document or one incremental update (§7.5.6). */
export interface Revision {
  /** 0 = original document, increasing with each incremental update. */
  readonly index: number;
  /** First byte of this revision's update (0 for the original). */
  readonly startOffset: number;
  /**
   * Offset just past this revision's `%%EOF` marker plus one optional EOL (CR, LF or CRLF): what a
   * signature ByteRange closing this revision must end at.
   */
  readonly endOffset: number;
  /** The startxref value of this revision. */
  readonly xrefOffset: number;
  readonly xrefKind: 'table' | 'stream' | 'hybrid';
  /** Merged trailer of this revision (for streams, the xref stream dictionary). */
  readonly trailer: PdfDict;
  /** Entries written in this revision's section(s) only. */
  readonly entries: ReadonlyMap<number, XrefEntry>;
}

/** Limits that bound the work of reading cross-reference data. */
export interface XrefLimits {
  /** Most cross-reference entries over all sections. */
  readonly maxObjects: number;
  /** Largest decoded xref stream. */
  readonly maxDecodedStreamBytes: number;
  /** Most sections in the /Prev chain. */
  readonly maxSections: number;
}

export const defaultXrefLimits: XrefLimits = {
  maxObjects: 2_000_000,
  maxDecodedStreamBytes: 128 * 1024 * 1024,
  maxSections: 10_000,
};

interface Section {
  /** Offset the section was found at (after tolerating a small error in the pointer). */
  readonly offset: number;
  /** Offset the startxref or /Prev pointer gave. */
  readonly declaredOffset: number;
  readonly kind: 'table' | 'stream';
  readonly trailer: PdfDict;
  readonly entries: Map<number, XrefEntry>;
  /** Just past the trailer dictionary or the xref stream object. */
  readonly end: number;
}

interface ChainLink {
  readonly primary: Section;
  /** The /XRefStm stream of a hybrid file. */
  readonly hidden: Section | undefined;
}

const STARTXREF = Buffer.from('startxref', 'latin1');
const EOF_MARKER = Buffer.from('%%EOF', 'latin1');
const TAIL_WINDOW = 2048;
const POINTER_TOLERANCE = 8;
const OBJ_HEADER_RE =
  /^(\d{1,10})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+obj(?![^\0\t\n\f\r ()<>[\]{}/%])/;

/**
 * The offset after the last `startxref` of the file, read from its last 2 KB only. The number must
 * be followed by `%%EOF` (or the end of the file); anything else is refused.
 */
export function findStartXref(buf: Buffer): number {
  const from = Math.max(0, buf.length - TAIL_WINDOW);
  const at = buf.subarray(from).lastIndexOf(STARTXREF);
  if (at < 0) throw new PdfFormatError('no startxref in the last 2 KB of the file');
  let p = from + at + STARTXREF.length;
  while (p < buf.length && isWhitespace(buf[p])) p++;
  const digitsStart = p;
  while (p < buf.length && (buf[p] ?? 0) >= 0x30 && (buf[p] ?? 0) <= 0x39 && p - digitsStart < 16)
    p++;
  if (p === digitsStart || !isTokenEnd(buf[p])) {
    throw new PdfFormatError('startxref is not followed by a number', { offset: digitsStart });
  }
  const offset = Number(buf.toString('latin1', digitsStart, p));
  while (p < buf.length && isWhitespace(buf[p])) p++;
  if (p < buf.length && !buf.subarray(p, p + EOF_MARKER.length).equals(EOF_MARKER)) {
    throw new PdfFormatError('startxref offset is not followed by %%EOF', { offset: p });
  }
  return offset;
}

function locateSection(
  buf: Buffer,
  offset: number,
): { kind: 'table' | 'stream'; pos: number } | undefined {
  const probe = (p: number): 'table' | 'stream' | undefined => {
    if (buf.toString('latin1', p, p + 4) === 'xref' && isTokenEnd(buf[p + 4])) return 'table';
    const head = buf.toString('latin1', p, p + 40);
    return OBJ_HEADER_RE.test(head) ? 'stream' : undefined;
  };
  if (offset < 0 || offset >= buf.length) return undefined;
  let exact = offset;
  while (exact < buf.length && isWhitespace(buf[exact])) exact++;
  const kind = exact === 0 || isTokenEnd(buf[exact - 1]) ? probe(exact) : undefined;
  if (kind) return { kind, pos: exact };
  for (let d = 1; d <= POINTER_TOLERANCE; d++) {
    for (const p of [offset - d, offset + d]) {
      if (p < 0 || p >= buf.length || isWhitespace(buf[p])) continue;
      if (p > 0 && !isTokenEnd(buf[p - 1])) continue;
      const k = probe(p);
      if (k) return { kind: k, pos: p };
    }
  }
  return undefined;
}

class EntryBudget {
  remaining: number;
  constructor(max: number) {
    this.remaining = max;
  }
  take(): void {
    if (--this.remaining < 0) throw new PdfFormatError('too many cross-reference entries');
  }
}

function readTable(buf: Buffer, pos: number, declaredOffset: number, budget: EntryBudget): Section {
  const lexer = new Lexer(buf, pos + 4);
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    const tok = lexer.next();
    if (tok.type === 'keyword' && tok.value === 'trailer') break;
    const countTok = lexer.next();
    if (tok.type !== 'int' || countTok.type !== 'int' || tok.value < 0 || countTok.value < 0) {
      throw new PdfFormatError('malformed cross-reference subsection header', {
        offset: tok.start,
      });
    }
    for (let i = 0; i < countTok.value; i++) {
      const save = lexer.pos;
      const off = lexer.next();
      if (off.type === 'keyword' && off.value === 'trailer') {
        lexer.pos = save;
        break;
      }
      const gen = lexer.next();
      const kind = lexer.next();
      if (off.type !== 'int' || gen.type !== 'int' || kind.type !== 'keyword') {
        throw new PdfFormatError('malformed cross-reference entry', { offset: off.start });
      }
      budget.take();
      const num = tok.value + i;
      if (kind.value === 'n')
        entries.set(num, { type: 'inuse', gen: gen.value, offset: off.value });
      else if (kind.value === 'f') entries.set(num, { type: 'free', gen: gen.value });
      else throw new PdfFormatError('malformed cross-reference entry', { offset: kind.start });
    }
  }
  const trailer = new Parser(lexer).parseObject();
  if (!isDict(trailer)) throw new PdfFormatError('trailer is not a dictionary', { offset: pos });
  return { offset: pos, declaredOffset, kind: 'table', trailer, entries, end: lexer.pos };
}

const directInt = (o: PdfObject | undefined): number | undefined =>
  typeof o === 'number' && Number.isSafeInteger(o) && o >= 0 ? o : undefined;

function readXrefStream(
  buf: Buffer,
  pos: number,
  declaredOffset: number,
  budget: EntryBudget,
  limits: XrefLimits,
): Section {
  const obj = parseIndirectObjectAt(buf, pos, { limits: defaultParserLimits });
  const stream = obj.value;
  if (!isStream(stream))
    throw new PdfFormatError('cross-reference stream expected', { offset: pos });
  const d = stream.dict;
  const type = d.entries.get('Type');
  if (type !== undefined && !isName(type, 'XRef')) {
    throw new PdfFormatError('object at startxref is not a cross-reference stream', {
      offset: pos,
    });
  }
  const w = d.entries.get('W');
  const widths = isArray(w) ? w.items.map(directInt) : [];
  const [w0, w1, w2] = widths;
  if (widths.length !== 3 || w0 === undefined || w1 === undefined || w2 === undefined) {
    throw new PdfFormatError('cross-reference stream has an invalid /W', { offset: pos });
  }
  if (w0 > 8 || w1 > 8 || w2 > 8 || w0 + w1 + w2 === 0) {
    throw new PdfFormatError('cross-reference stream has an invalid /W', { offset: pos });
  }
  const size = directInt(d.entries.get('Size'));
  if (size === undefined)
    throw new PdfFormatError('cross-reference stream without /Size', { offset: pos });
  const indexObj = d.entries.get('Index');
  const index: number[] = [];
  if (indexObj === undefined) index.push(0, size);
  else if (isArray(indexObj) && indexObj.items.length % 2 === 0) {
    for (const v of indexObj.items) {
      const n = directInt(v);
      if (n === undefined) throw new PdfFormatError('cross-reference stream has an invalid /Index');
      index.push(n);
    }
  } else throw new PdfFormatError('cross-reference stream has an invalid /Index', { offset: pos });

  if (stream.dataOffset + stream.dataLength > buf.length) {
    throw new PdfFormatError('cross-reference stream data outside the file', { offset: pos });
  }
  const raw = buf.subarray(stream.dataOffset, stream.dataOffset + stream.dataLength);
  const data = decodeFilters(
    raw,
    filterSteps(d.entries.get('Filter'), d.entries.get('DecodeParms')),
    limits.maxDecodedStreamBytes,
  );
  const rowLength = w0 + w1 + w2;
  const rows = Math.floor(data.length / rowLength);
  const field = (at: number, width: number): number => {
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + (data[at + i] ?? 0);
    return v;
  };
  const entries = new Map<number, XrefEntry>();
  let row = 0;
  for (let i = 0; i + 1 < index.length && row < rows; i += 2) {
    const first = index[i] ?? 0;
    const count = index[i + 1] ?? 0;
    for (let k = 0; k < count && row < rows; k++, row++) {
      budget.take();
      const at = row * rowLength;
      const t = w0 === 0 ? 1 : field(at, w0);
      const f2 = field(at + w0, w1);
      const f3 = field(at + w0 + w1, w2);
      const num = first + k;
      if (t === 0) entries.set(num, { type: 'free', gen: f3 });
      else if (t === 1) entries.set(num, { type: 'inuse', gen: f3, offset: f2 });
      else if (t === 2) entries.set(num, { type: 'compressed', gen: 0, objStm: f2, index: f3 });
    }
  }
  return { offset: pos, declaredOffset, kind: 'stream', trailer: d, entries, end: obj.end };
}

function readSection(
  buf: Buffer,
  offset: number,
  budget: EntryBudget,
  limits: XrefLimits,
  only?: 'stream',
): Section {
  const found = locateSection(buf, offset);
  if (!found || (only && found.kind !== only)) {
    throw new PdfFormatError('no cross-reference section at the offset given', { offset });
  }
  try {
    return found.kind === 'table'
      ? readTable(buf, found.pos, offset, budget)
      : readXrefStream(buf, found.pos, offset, budget, limits);
  } catch (error) {
    if (error instanceof PdfFormatError) throw error;
    throw new PdfFormatError('unreadable cross-reference section', { cause: error, offset });
  }
}

function readChain(buf: Buffer, limits: XrefLimits): { chain: ChainLink[]; recovered: boolean } {
  const budget = new EntryBudget(limits.maxObjects);
  const chain: ChainLink[] = [];
  const visited = new Set<number>();
  let offset: number | undefined = findStartXref(buf);
  while (offset !== undefined) {
    if (visited.has(offset))
      throw new PdfFormatError('cross-reference /Prev chain loops', { offset });
    if (chain.length >= limits.maxSections)
      throw new PdfFormatError('too many cross-reference sections');
    visited.add(offset);
    let link: ChainLink;
    try {
      link = readLink(buf, offset, budget, limits);
    } catch (error) {
      // A startxref or /Prev pointing at nothing is recovered by a scan, as viewers do; the
      // caller sees `recovered` and must not trust the result as it would an intact file.
      if (!(error instanceof PdfFormatError)) throw error;
      const scanned = scanChain(buf, limits);
      if (scanned.length === 0) throw error;
      return { chain: scanned, recovered: true };
    }
    if (link.primary.offset !== offset && visited.has(link.primary.offset)) {
      throw new PdfFormatError('cross-reference /Prev chain loops', { offset });
    }
    visited.add(link.primary.offset);
    chain.push(link);
    const prev = link.primary.trailer.entries.get('Prev');
    if (prev === undefined) offset = undefined;
    else {
      offset = directInt(prev);
      if (offset === undefined) throw new PdfFormatError('invalid /Prev in trailer');
    }
  }
  return { chain, recovered: false };
}

function readLink(buf: Buffer, offset: number, budget: EntryBudget, limits: XrefLimits): ChainLink {
  const primary = readSection(buf, offset, budget, limits);
  let hidden: Section | undefined;
  const xrefStm = primary.trailer.entries.get('XRefStm');
  if (primary.kind === 'table' && xrefStm !== undefined) {
    const at = directInt(xrefStm);
    if (at === undefined) throw new PdfFormatError('invalid /XRefStm in trailer');
    hidden = readSection(buf, at, budget, limits, 'stream');
  }
  return { primary, hidden };
}

const XREF_KEYWORD = Buffer.from('xref', 'latin1');
const XREF_TYPE = Buffer.from('/XRef', 'latin1');
const OBJ_KEYWORD = Buffer.from('obj', 'latin1');
const OBJ_BEFORE_RE = /(?:^|[\0\t\n\f\r ])(\d{1,10})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+$/;

/**
 * Every cross-reference section found by scanning the file, newest first: the recovery when a
 * /Prev pointer leads nowhere. Each section becomes one revision, in file order.
 */
function scanChain(buf: Buffer, limits: XrefLimits): ChainLink[] {
  const budget = new EntryBudget(limits.maxObjects);
  const offsets = new Set<number>();
  for (let at = buf.indexOf(XREF_KEYWORD); at >= 0; at = buf.indexOf(XREF_KEYWORD, at + 1)) {
    const before = buf[at - 1];
    if ((at === 0 || before === 0x0a || before === 0x0d) && isWhitespace(buf[at + 4]))
      offsets.add(at);
  }
  for (let at = buf.indexOf(XREF_TYPE); at >= 0; at = buf.indexOf(XREF_TYPE, at + 1)) {
    if (!isTokenEnd(buf[at + XREF_TYPE.length])) continue;
    const obj = buf.lastIndexOf(OBJ_KEYWORD, at);
    if (obj < 0 || at - obj > 4096) continue;
    const m = OBJ_BEFORE_RE.exec(buf.toString('latin1', Math.max(0, obj - 24), obj));
    if (m) offsets.add(obj - m[0].length + (m[0].length - m[0].trimStart().length));
  }
  const links: ChainLink[] = [];
  const hiddenOffsets = new Set<number>();
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    if (links.length >= limits.maxSections)
      throw new PdfFormatError('too many cross-reference sections');
    try {
      const link = readLink(buf, offset, budget, limits);
      if (link.primary.offset !== offset) continue;
      if (link.hidden) hiddenOffsets.add(link.hidden.offset);
      links.push(link);
    } catch (error) {
      if (!(error instanceof PdfFormatError)) throw error;
    }
  }
  const chain = links.filter((l) => !hiddenOffsets.has(l.primary.offset)).reverse();
  if (chain.length === 0) throw new PdfFormatError('no readable cross-reference section');
  return chain;
}

/** Entries of one link: table entries win, except free ones, which the hidden stream may fill. */
function linkEntries(link: ChainLink): Map<number, XrefEntry> {
  if (!link.hidden) return link.primary.entries;
  const merged = new Map(link.primary.entries);
  for (const [num, entry] of link.hidden.entries) {
    const own = merged.get(num);
    if (own === undefined || own.type === 'free') merged.set(num, entry);
  }
  return merged;
}

function eofEnd(buf: Buffer, from: number): number | undefined {
  const at = buf.indexOf(EOF_MARKER, from);
  if (at < 0) return undefined;
  let end = at + EOF_MARKER.length;
  if (buf[end] === 0x0d) end++;
  if (buf[end] === 0x0a) end++;
  return end;
}

/**
 * Reads every cross-reference section from the last startxref back along /Prev and groups them
 * into revisions, oldest first. A /Prev that points forward (a linearized file's first-page
 * section pointing at its main section) joins the section it points to into the same revision.
 * When a /Prev leads nowhere, the sections are found by scanning instead and `recovered` is set.
 */
export function readRevisions(
  buf: Buffer,
  limits: XrefLimits = defaultXrefLimits,
): { revisions: Revision[]; recovered: boolean } {
  const { chain, recovered } = readChain(buf, limits);
  const groups: ChainLink[][] = [];
  for (let i = 0; i < chain.length; i++) {
    const link = chain[i];
    const before = chain[i - 1];
    const group = groups[groups.length - 1];
    if (!link) continue;
    if (before && group && group.length === 1 && link.primary.offset > before.primary.offset) {
      group.push(link);
    } else {
      groups.push([link]);
    }
  }
  groups.reverse();

  const revisions: Revision[] = [];
  let startOffset = 0;
  for (let index = 0; index < groups.length; index++) {
    const group = groups[index] ?? [];
    const head = group[0];
    if (!head) continue;
    const entries = new Map<number, XrefEntry>();
    const trailer: PdfDict = { kind: 'dict', entries: new Map() };
    let sectionEnd = 0;
    for (let i = group.length - 1; i >= 0; i--) {
      const link = group[i];
      if (!link) continue;
      for (const [num, entry] of linkEntries(link)) entries.set(num, entry);
      for (const [key, value] of link.primary.trailer.entries) trailer.entries.set(key, value);
      sectionEnd = Math.max(sectionEnd, link.primary.end, link.hidden?.end ?? 0);
    }
    const last = index === groups.length - 1;
    const endOffset = eofEnd(buf, sectionEnd) ?? (last ? buf.length : sectionEnd);
    revisions.push({
      index,
      startOffset,
      endOffset,
      xrefOffset: head.primary.declaredOffset,
      xrefKind: head.hidden ? 'hybrid' : head.primary.kind,
      trailer,
      entries,
    });
    startOffset = endOffset;
  }
  return { revisions, recovered };
}
