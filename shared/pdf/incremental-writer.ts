import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { DomainError } from '#shared/errors.ts';
import type { PdfDocument } from './document.ts';
import {
  arr,
  isArray,
  isString,
  name,
  type PdfDict,
  type PdfObject,
  type PdfRef,
  ref,
  str,
} from './objects.ts';
import { serializeObject } from './serialize.ts';

/** The document cannot be updated the way it was asked (encrypted, no catalog, bad object). */
export class PdfWriteError extends DomainError {}

/** A stream to write: its dictionary and its data, already encoded as the dictionary's /Filter says. */
export interface StreamToWrite {
  readonly kind: 'stream-data';
  readonly dict: PdfDict;
  readonly data: Buffer;
}

export type WritableObject = PdfObject | StreamToWrite;

/** What `IncrementalUpdate.write` produced. */
export interface WrittenUpdate {
  /** The original bytes, unchanged, followed by the new revision. */
  readonly pdf: Buffer;
  /** Where each written object lies in `pdf`, from `n g obj` to just past `endobj`. */
  readonly spans: ReadonlyMap<number, { readonly start: number; readonly end: number }>;
  readonly xrefKind: 'table' | 'stream';
  /** Offset of the new cross-reference section (what the new startxref says). */
  readonly xrefOffset: number;
}

/**
 * The new revision alone, for callers that assemble the output themselves (one allocation, no
 * intermediate copy of the original bytes); `spans` and `xrefOffset` are offsets in the whole
 * file, original bytes first.
 */
export interface WrittenRevision extends Omit<WrittenUpdate, 'pdf'> {
  /** Everything after the original bytes: a separating EOL when they lack one, then the revision. */
  readonly revision: Buffer;
}

export interface IncrementalUpdateOptions {
  /**
   * Cross-reference style of the new section. Default: a stream when the file's last section is
   * a stream, a table otherwise (also for hybrid files, whose readers may not know streams).
   */
  readonly xrefKind?: 'table' | 'stream';
}

const EOL = '\n';

/**
 * One incremental update (ISO 32000-1 §7.5.6) of an opened document: objects are replaced or
 * added, then `write` appends them, a cross-reference section in the style of the file's last
 * one, the trailer and `%%EOF` to the untouched original bytes. Earlier revisions stay byte for
 * byte what they were, so the signatures over them stay valid. Nothing else of the document is
 * read: the cost is that of the objects written, whatever the size of the file.
 */
export class IncrementalUpdate {
  readonly #doc: PdfDocument;
  readonly #objects = new Map<number, { gen: number; value: WritableObject }>();
  #nextNum: number;

  constructor(doc: PdfDocument) {
    if (doc.encrypted) throw new PdfWriteError('cannot update an encrypted document');
    this.#doc = doc;
    let next = 1;
    for (const revision of doc.revisions) {
      const size = revision.trailer.entries.get('Size');
      if (typeof size === 'number' && Number.isSafeInteger(size)) next = Math.max(next, size);
      for (const num of revision.entries.keys()) next = Math.max(next, num + 1);
    }
    this.#nextNum = next;
  }

  /** A fresh object number (generation 0) above every number the file uses. */
  allocate(): PdfRef {
    const r = ref(this.#nextNum);
    this.#nextNum += 1;
    return r;
  }

  /** Writes `value` as object `target`: an allocated number, or a replacement of an existing one. */
  set(target: PdfRef, value: WritableObject): void {
    if (!Number.isSafeInteger(target.num) || target.num <= 0 || target.num >= this.#nextNum) {
      throw new PdfWriteError(`object number ${target.num} is neither in the file nor allocated`);
    }
    if (typeof value === 'object' && value?.kind === 'stream') {
      throw new PdfWriteError('a parsed stream cannot be rewritten; give its data (stream-data)');
    }
    this.#objects.set(target.num, { gen: target.gen, value });
  }

  /** Whether object `num` is part of this update. */
  has(num: number): boolean {
    return this.#objects.has(num);
  }

  write(options: IncrementalUpdateOptions = {}): WrittenUpdate {
    const { revision, ...rest } = this.writeRevision(options);
    const base = this.#doc.bytes;
    return { pdf: Buffer.concat([base, revision], base.length + revision.length), ...rest };
  }

  /** What `write` appends to the original bytes, without copying them. */
  writeRevision(options: IncrementalUpdateOptions = {}): WrittenRevision {
    const doc = this.#doc;
    const last = doc.revisions[doc.revisions.length - 1];
    if (!last) throw new PdfWriteError('the document has no revision to update');
    const xrefKind = options.xrefKind ?? (last.xrefKind === 'stream' ? 'stream' : 'table');
    const base = doc.bytes;
    const endsWithEol =
      base.length > 0 && (base[base.length - 1] === 0x0a || base[base.length - 1] === 0x0d);

    const chunks: Buffer[] = [];
    let length = base.length;
    const push = (data: string | Buffer) => {
      const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      chunks.push(b);
      length += b.length;
    };
    if (!endsWithEol) push(EOL);

    const spans = new Map<number, { start: number; end: number }>();
    const offsets = new Map<number, { offset: number; gen: number }>();
    const writeObject = (num: number, gen: number, value: WritableObject) => {
      const start = length;
      push(`${num} ${gen} obj${EOL}`);
      if (typeof value === 'object' && value?.kind === 'stream-data') {
        const streamDict: PdfDict = { kind: 'dict', entries: new Map(value.dict.entries) };
        streamDict.entries.set('Length', value.data.length);
        push(`${serializeObject(streamDict)}${EOL}stream${EOL}`);
        push(value.data);
        push(`${EOL}endstream`);
      } else {
        push(serializeObject(value));
      }
      push(`${EOL}endobj${EOL}`);
      spans.set(num, { start, end: length - EOL.length });
      offsets.set(num, { offset: start, gen });
    };

    for (const num of [...this.#objects.keys()].sort((a, b) => a - b)) {
      const object = this.#objects.get(num);
      if (object) writeObject(num, object.gen, object.value);
    }

    const trailer = this.#trailerEntries(last.xrefOffset);
    let xrefOffset: number;
    if (xrefKind === 'table') {
      xrefOffset = length;
      trailer.entries.set('Size', this.#nextNum);
      push(xrefTable(offsets));
      push(`trailer${EOL}${serializeObject(orderTrailer(trailer))}${EOL}`);
    } else {
      // The stream is an object of its own, numbered after everything allocated.
      const self = this.#nextNum;
      xrefOffset = length;
      offsets.set(self, { offset: xrefOffset, gen: 0 });
      trailer.entries.set('Size', self + 1);
      const { dict, data } = xrefStream(offsets, trailer);
      writeObject(self, 0, { kind: 'stream-data', dict, data });
      spans.delete(self);
    }
    push(`startxref${EOL}${xrefOffset}${EOL}%%EOF${EOL}`);
    return {
      revision: Buffer.concat(chunks, length - base.length),
      spans,
      xrefKind,
      xrefOffset,
    };
  }

  /** /Root, /Info and /ID as of the last revision (looking back for those it leaves out), /Prev. */
  #trailerEntries(prev: number): PdfDict {
    const entries = new Map<string, PdfObject>();
    const revisions = this.#doc.revisions;
    for (const key of ['Root', 'Info', 'ID']) {
      for (let r = revisions.length - 1; r >= 0; r--) {
        const value = revisions[r]?.trailer.entries.get(key);
        if (value !== undefined) {
          entries.set(key, value);
          break;
        }
      }
    }
    if (!entries.has('Root')) throw new PdfWriteError('the trailer has no /Root');
    const id = entries.get('ID');
    const first = isArray(id) ? id.items[0] : undefined;
    // §14.4: the first identifier is permanent, the second changes with every update.
    const permanent = isString(first) ? first : str(randomBytes(16), true);
    entries.set('ID', arr([permanent, str(randomBytes(16), true)]));
    entries.set('Prev', prev);
    return { kind: 'dict', entries };
  }
}

function orderTrailer(trailer: PdfDict): PdfDict {
  const order = ['Size', 'Root', 'Info', 'ID', 'Prev'];
  const entries = new Map<string, PdfObject>();
  for (const key of order) {
    const value = trailer.entries.get(key);
    if (value !== undefined) entries.set(key, value);
  }
  return { kind: 'dict', entries };
}

/** Consecutive object numbers grouped into [first, count] runs. */
function runs(nums: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const num of nums) {
    const run = out[out.length - 1];
    if (run && run[0] + run[1] === num) run[1] += 1;
    else out.push([num, 1]);
  }
  return out;
}

/** A classic table: 20-byte entries (§7.5.4), one subsection per run of consecutive numbers. */
function xrefTable(offsets: ReadonlyMap<number, { offset: number; gen: number }>): string {
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  let table = `xref${EOL}`;
  for (const [first, count] of runs(nums)) {
    table += `${first} ${count}${EOL}`;
    for (let num = first; num < first + count; num++) {
      const entry = offsets.get(num);
      if (!entry) continue;
      table += `${String(entry.offset).padStart(10, '0')} ${String(entry.gen).padStart(5, '0')} n\r\n`;
    }
  }
  return table;
}

/** A cross-reference stream (§7.5.8) of type-1 rows, Flate-compressed, carrying the trailer. */
function xrefStream(
  offsets: ReadonlyMap<number, { offset: number; gen: number }>,
  trailer: PdfDict,
): { dict: PdfDict; data: Buffer } {
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  const maxOffset = Math.max(0, ...[...offsets.values()].map((e) => e.offset));
  let offsetWidth = 1;
  while (maxOffset >= 2 ** (8 * offsetWidth)) offsetWidth++;
  const rowLength = 1 + offsetWidth + 2;
  const rows = Buffer.alloc(rowLength * nums.length);
  nums.forEach((num, i) => {
    const entry = offsets.get(num);
    if (!entry) return;
    const at = i * rowLength;
    rows.writeUInt8(1, at);
    rows.writeUIntBE(entry.offset, at + 1, offsetWidth);
    rows.writeUInt16BE(entry.gen, at + 1 + offsetWidth);
  });
  const dict: PdfDict = { kind: 'dict', entries: new Map() };
  dict.entries.set('Type', name('XRef'));
  for (const [key, value] of orderTrailer(trailer).entries) dict.entries.set(key, value);
  dict.entries.set('Index', arr(runs(nums).flat()));
  dict.entries.set('W', arr([1, offsetWidth, 2]));
  dict.entries.set('Filter', name('FlateDecode'));
  return { dict, data: deflateSync(rows) };
}
