import type { PdfDocument } from '#pdf/document.ts';
import type { PdfDict, PdfObject, PdfStream } from '#pdf/objects.ts';

/** Stream dictionary keys that only describe the encoding, ignored when decoded data agree. */
const ENCODING_KEYS = new Set(['Length', 'Filter', 'DecodeParms', 'DL']);

const MAX_DEPTH = 64;

/**
 * Structural equality of two objects as written (references compared as references, never
 * followed). Streams are equal when their dictionaries agree and their data agree, raw or decoded.
 */
export function sameObject(
  doc: PdfDocument,
  a: PdfObject | undefined,
  b: PdfObject | undefined,
): boolean {
  return same(doc, a, b, 0);
}

function same(
  doc: PdfDocument,
  a: PdfObject | undefined,
  b: PdfObject | undefined,
  depth: number,
): boolean {
  if (depth > MAX_DEPTH) return false;
  if (a === undefined || a === null || b === undefined || b === null) {
    return (a ?? null) === (b ?? null);
  }
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  switch (a.kind) {
    case 'name':
      return b.kind === 'name' && a.value === b.value;
    case 'ref':
      return b.kind === 'ref' && a.num === b.num && a.gen === b.gen;
    case 'string':
      return b.kind === 'string' && a.bytes.equals(b.bytes);
    case 'array':
      return (
        b.kind === 'array' &&
        a.items.length === b.items.length &&
        a.items.every((item, i) => same(doc, item, b.items[i], depth + 1))
      );
    case 'dict':
      return b.kind === 'dict' && sameDict(doc, a, b, depth, new Set());
    case 'stream':
      return b.kind === 'stream' && sameStream(doc, a, b, depth);
  }
}

function sameDict(
  doc: PdfDocument,
  a: PdfDict,
  b: PdfDict,
  depth: number,
  ignored: ReadonlySet<string>,
): boolean {
  const keysA = [...a.entries.keys()].filter((k) => !ignored.has(k));
  const keysB = [...b.entries.keys()].filter((k) => !ignored.has(k));
  if (keysA.length !== keysB.length) return false;
  return keysA.every(
    (k) => b.entries.has(k) && same(doc, a.entries.get(k), b.entries.get(k), depth + 1),
  );
}

function sameStream(doc: PdfDocument, a: PdfStream, b: PdfStream, depth: number): boolean {
  const rawA = doc.bytes.subarray(a.dataOffset, a.dataOffset + a.dataLength);
  const rawB = doc.bytes.subarray(b.dataOffset, b.dataOffset + b.dataLength);
  if (rawA.equals(rawB)) return sameDict(doc, a.dict, b.dict, depth, new Set());
  if (!sameDict(doc, a.dict, b.dict, depth, ENCODING_KEYS)) return false;
  try {
    return doc.decodeStream(a).equals(doc.decodeStream(b));
  } catch {
    return false;
  }
}

/** Keys whose values differ between two dictionaries (added, removed or changed). */
export function changedKeys(
  doc: PdfDocument,
  a: PdfDict | undefined,
  b: PdfDict | undefined,
  ignored: ReadonlySet<string> = new Set(),
): string[] {
  const keys = new Set([...(a?.entries.keys() ?? []), ...(b?.entries.keys() ?? [])]);
  return [...keys]
    .filter((k) => !ignored.has(k))
    .filter((k) => !same(doc, a?.entries.get(k), b?.entries.get(k), 0))
    .map((k) => `/${k}`);
}
