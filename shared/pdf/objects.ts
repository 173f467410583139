/**
 * The PDF object model shared by the parser, the diff analysis and the incremental writer.
 * Plain data, no classes with behaviour, so objects can be compared structurally.
 */

/** A name object such as `/Type`; `value` holds the decoded name without the slash. */
export interface PdfName {
  readonly kind: 'name';
  readonly value: string;
}

/** An indirect reference `num gen R`. */
export interface PdfRef {
  readonly kind: 'ref';
  readonly num: number;
  readonly gen: number;
}

/** A literal `( … )` or hex `< … >` string; `bytes` are the decoded bytes. */
export interface PdfString {
  readonly kind: 'string';
  readonly bytes: Buffer;
  readonly hex: boolean;
}

export interface PdfArray {
  readonly kind: 'array';
  readonly items: PdfObject[];
}

export interface PdfDict {
  readonly kind: 'dict';
  /** Keys without the leading slash, in file order. */
  readonly entries: Map<string, PdfObject>;
}

/**
 * A stream: its dictionary and where its raw (still encoded) data lies in the file.
 * Data is decoded on demand, never at parse time.
 */
export interface PdfStream {
  readonly kind: 'stream';
  readonly dict: PdfDict;
  /** Absolute file offset of the first data byte. */
  readonly dataOffset: number;
  /** Length of the raw data in bytes. */
  readonly dataLength: number;
}

export type PdfObject =
  | PdfName
  | PdfRef
  | PdfString
  | PdfArray
  | PdfDict
  | PdfStream
  | number
  | boolean
  | null;

export const name = (value: string): PdfName => ({ kind: 'name', value });
export const ref = (num: number, gen = 0): PdfRef => ({ kind: 'ref', num, gen });
export const dict = (entries: Record<string, PdfObject> = {}): PdfDict => ({
  kind: 'dict',
  entries: new Map(Object.entries(entries)),
});
export const arr = (items: PdfObject[]): PdfArray => ({ kind: 'array', items });
export const str = (value: string | Buffer, hex = false): PdfString => ({
  kind: 'string',
  bytes: typeof value === 'string' ? Buffer.from(value, 'latin1') : value,
  hex,
});

export const isName = (o: PdfObject | undefined, value?: string): o is PdfName =>
  typeof o === 'object' &&
  o !== null &&
  o.kind === 'name' &&
  (value === undefined || o.value === value);
export const isRef = (o: PdfObject | undefined): o is PdfRef =>
  typeof o === 'object' && o !== null && o.kind === 'ref';
export const isDict = (o: PdfObject | undefined): o is PdfDict =>
  typeof o === 'object' && o !== null && o.kind === 'dict';
export const isArray = (o: PdfObject | undefined): o is PdfArray =>
  typeof o === 'object' && o !== null && o.kind === 'array';
export const isStream = (o: PdfObject | undefined): o is PdfStream =>
  typeof o === 'object' && o !== null && o.kind === 'stream';
export const isString = (o: PdfObject | undefined): o is PdfString =>
  typeof o === 'object' && o !== null && o.kind === 'string';

/** Key of an object number + generation, for maps and sets. */
export const refKey = (r: { num: number; gen: number }): string => `${r.num} ${r.gen}`;

/** The dictionary of a dict or of a stream; undefined for anything else. */
export function dictOf(o: PdfObject | undefined): PdfDict | undefined {
  if (isDict(o)) return o;
  if (isStream(o)) return o.dict;
  return undefined;
}
