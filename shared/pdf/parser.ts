import { PdfFormatError } from './errors.ts';
import { defaultLexerLimits, Lexer, type LexerLimits, type Token } from './lexer.ts';
import type { PdfArray, PdfDict, PdfObject, PdfRef, PdfStream } from './objects.ts';

/** Caps on the shape of parsed objects, on top of the lexer's. */
export interface ParserLimits extends LexerLimits {
  /** Deepest nesting of arrays and dictionaries; keeps recursion far from the stack limit. */
  readonly maxDepth: number;
  /** Most items in one array or entries in one dictionary. */
  readonly maxContainerItems: number;
}

export const defaultParserLimits: ParserLimits = {
  ...defaultLexerLimits,
  maxDepth: 64,
  maxContainerItems: 1_000_000,
};

/** Where a value lies in the buffer, `end` exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** An indirect object as read from the file. */
export interface IndirectObject {
  readonly num: number;
  readonly gen: number;
  readonly value: PdfObject;
  /** Offset of the `n g obj` header. */
  readonly start: number;
  /** Offset just past `endobj` (or past the value when `endobj` is missing). */
  readonly end: number;
  /** Spans of the values of the top-level dictionary (of a dict or stream), last key wins. */
  readonly keySpans: ReadonlyMap<string, Span>;
}

/** Options for reading an indirect object. */
export interface IndirectObjectOptions {
  /** Value of an indirect `/Length`, when the caller can resolve it. */
  readonly resolveLength?: (ref: PdfRef) => number | undefined;
  readonly limits?: ParserLimits;
}

const ENDSTREAM = Buffer.from('endstream', 'latin1');
/** Keywords that end an object; never swallowed as garbage inside a container. */
const CONTAINER_END = new Set([
  'endobj',
  'stream',
  'endstream',
  'obj',
  'R',
  'xref',
  'trailer',
  'startxref',
]);

/**
 * Recursive-descent reader of PDF objects over a lexer. Recursion is bounded by `maxDepth`, so a
 * file of a hundred thousand `[` fails with a PdfFormatError long before the call stack runs out.
 */
export class Parser {
  readonly lexer: Lexer;
  readonly limits: ParserLimits;
  /** When set, records the spans of the outermost dictionary's values. */
  keySpans: Map<string, Span> | undefined;

  constructor(lexer: Lexer, limits: ParserLimits = defaultParserLimits) {
    this.lexer = lexer;
    this.limits = limits;
    this.keySpans = undefined;
  }

  /** Reads one object (a reference `n g R` counts as one). */
  parseObject(): PdfObject {
    return this.parseValue(this.lexer.next(), 0);
  }

  private parseValue(tok: Token, depth: number): PdfObject {
    if (tok.type === 'keyword' && depth > 0 && !CONTAINER_END.has(tok.value)) {
      // Writers emit garbage such as "-1.#INF" inside arrays and dictionaries; like qpdf and
      // pdf.js, read it as null there rather than lose the whole object.
      if (tok.value !== 'true' && tok.value !== 'false' && tok.value !== 'null') return null;
    }
    switch (tok.type) {
      case 'int': {
        const ref = this.tryRef(tok.value);
        return ref ?? tok.value;
      }
      case 'real':
        return tok.value;
      case 'name':
        return { kind: 'name', value: tok.value };
      case 'string':
        return { kind: 'string', bytes: tok.bytes, hex: tok.hex };
      case 'keyword':
        if (tok.value === 'true') return true;
        if (tok.value === 'false') return false;
        if (tok.value === 'null') return null;
        throw new PdfFormatError(`unexpected keyword "${tok.value.slice(0, 32)}"`, {
          offset: tok.start,
        });
      case 'delim':
        if (tok.value === '[') return this.parseArray(tok.start, depth + 1);
        if (tok.value === '<<') return this.parseDict(tok.start, depth + 1);
        throw new PdfFormatError(`unexpected "${tok.value}"`, { offset: tok.start });
      case 'eof':
        throw new PdfFormatError('unexpected end of data', { offset: tok.start });
    }
  }

  private tryRef(num: number): PdfRef | undefined {
    const lexer = this.lexer;
    const saved = lexer.pos;
    if (num < 0) return undefined;
    const gen = lexer.next();
    if (gen.type === 'int' && gen.value >= 0) {
      const r = lexer.next();
      if (r.type === 'keyword' && r.value === 'R') return { kind: 'ref', num, gen: gen.value };
    }
    lexer.pos = saved;
    return undefined;
  }

  private checkDepth(depth: number, start: number): void {
    if (depth > this.limits.maxDepth) {
      throw new PdfFormatError('objects nested too deeply', { offset: start });
    }
  }

  private parseArray(start: number, depth: number): PdfArray {
    this.checkDepth(depth, start);
    const items: PdfObject[] = [];
    for (;;) {
      const tok = this.lexer.next();
      if (tok.type === 'delim' && tok.value === ']') return { kind: 'array', items };
      if (tok.type === 'eof') throw new PdfFormatError('unterminated array', { offset: start });
      if (items.length >= this.limits.maxContainerItems) {
        throw new PdfFormatError('array too large', { offset: start });
      }
      items.push(this.parseValue(tok, depth));
    }
  }

  private parseDict(start: number, depth: number): PdfDict {
    this.checkDepth(depth, start);
    const spans = depth === 1 ? this.keySpans : undefined;
    const entries = new Map<string, PdfObject>();
    for (;;) {
      const tok = this.lexer.next();
      if (tok.type === 'delim' && tok.value === '>>') return { kind: 'dict', entries };
      if (tok.type === 'eof')
        throw new PdfFormatError('unterminated dictionary', { offset: start });
      if (tok.type !== 'name') {
        throw new PdfFormatError('dictionary key is not a name', { offset: tok.start });
      }
      if (entries.size >= this.limits.maxContainerItems) {
        throw new PdfFormatError('dictionary too large', { offset: start });
      }
      const valueTok = this.lexer.next();
      if (valueTok.type === 'delim' && valueTok.value === '>>') {
        // A key without a value: tolerated, read as absent.
        return { kind: 'dict', entries };
      }
      const value = this.parseValue(valueTok, depth);
      spans?.set(tok.value, { start: valueTok.start, end: this.lexer.pos });
      // A null value is the same as an absent entry (§7.3.7).
      if (value === null) entries.delete(tok.value);
      else entries.set(tok.value, value);
    }
  }
}

/** Reads one direct object at `offset`. */
export function parseObjectAt(
  buf: Buffer,
  offset: number,
  limits: ParserLimits = defaultParserLimits,
): { value: PdfObject; end: number } {
  const parser = new Parser(new Lexer(buf, offset, buf.length, limits), limits);
  const value = parser.parseObject();
  return { value, end: parser.lexer.pos };
}

/**
 * Reads `n g obj … endobj` at `offset` (leading whitespace tolerated), including a stream's data
 * position. `/Length` is trusted only when `endstream` follows where it says; otherwise the data
 * runs to the next `endstream`.
 */
export function parseIndirectObjectAt(
  buf: Buffer,
  offset: number,
  options: IndirectObjectOptions = {},
): IndirectObject {
  const limits = options.limits ?? defaultParserLimits;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= buf.length) {
    throw new PdfFormatError('object offset outside the file', { offset });
  }
  const lexer = new Lexer(buf, offset, buf.length, limits);
  const parser = new Parser(lexer, limits);
  const numTok = lexer.next();
  const genTok = lexer.next();
  const objTok = lexer.next();
  if (
    numTok.type !== 'int' ||
    genTok.type !== 'int' ||
    objTok.type !== 'keyword' ||
    objTok.value !== 'obj' ||
    numTok.value < 0 ||
    genTok.value < 0
  ) {
    throw new PdfFormatError('expected an object header "n g obj"', { offset });
  }
  const keySpans = new Map<string, Span>();
  parser.keySpans = keySpans;
  let value = parser.parseObject();
  parser.keySpans = undefined;
  let end = lexer.pos;
  let tok = lexer.peek();
  if (
    tok.type === 'keyword' &&
    tok.value === 'stream' &&
    value !== null &&
    typeof value === 'object' &&
    value.kind === 'dict'
  ) {
    lexer.next();
    const stream = readStreamData(buf, lexer.pos, value, options.resolveLength);
    value = stream.stream;
    lexer.pos = stream.end;
    end = stream.end;
    tok = lexer.peek();
  }
  if (tok.type === 'keyword' && tok.value === 'endobj') {
    lexer.next();
    end = lexer.pos;
  }
  return { num: numTok.value, gen: genTok.value, value, start: numTok.start, end, keySpans };
}

function readStreamData(
  buf: Buffer,
  afterKeyword: number,
  dict: PdfDict,
  resolveLength: ((ref: PdfRef) => number | undefined) | undefined,
): { stream: PdfStream; end: number } {
  let p = afterKeyword;
  while (p < buf.length && (buf[p] === 0x20 || buf[p] === 0x09)) p++;
  if (buf[p] === 0x0d) p += buf[p + 1] === 0x0a ? 2 : 1;
  else if (buf[p] === 0x0a) p++;
  const dataOffset = Math.min(p, buf.length);

  const lengthValue = dict.entries.get('Length');
  let declared: number | undefined;
  if (typeof lengthValue === 'number') declared = lengthValue;
  else if (lengthValue !== null && typeof lengthValue === 'object' && lengthValue.kind === 'ref') {
    declared = resolveLength?.(lengthValue);
  }
  if (declared !== undefined && Number.isSafeInteger(declared) && declared >= 0) {
    const after = dataOffset + declared;
    if (after <= buf.length) {
      let q = after;
      while (
        q < buf.length &&
        (buf[q] === 0x0d || buf[q] === 0x0a || buf[q] === 0x20 || buf[q] === 0x09)
      ) {
        q++;
        if (q - after > 64) break;
      }
      if (buf.subarray(q, q + ENDSTREAM.length).equals(ENDSTREAM)) {
        return {
          stream: { kind: 'stream', dict, dataOffset, dataLength: declared },
          end: q + ENDSTREAM.length,
        };
      }
    }
  }

  const at = buf.indexOf(ENDSTREAM, dataOffset);
  if (at < 0) throw new PdfFormatError('stream without endstream', { offset: afterKeyword });
  let dataEnd = at;
  if (dataEnd > dataOffset && buf[dataEnd - 1] === 0x0a) dataEnd--;
  if (dataEnd > dataOffset && buf[dataEnd - 1] === 0x0d) dataEnd--;
  return {
    stream: { kind: 'stream', dict, dataOffset, dataLength: dataEnd - dataOffset },
    end: at + ENDSTREAM.length,
  };
}
