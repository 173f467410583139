import { PdfFormatError } from './errors.ts';

/** One lexical token of PDF syntax (ISO 32000-1 §7.2, §7.3). */
export type Token =
  | { readonly type: 'int'; readonly value: number; readonly start: number }
  | { readonly type: 'real'; readonly value: number; readonly start: number }
  | { readonly type: 'name'; readonly value: string; readonly start: number }
  | {
      readonly type: 'string';
      readonly bytes: Buffer;
      readonly hex: boolean;
      readonly start: number;
    }
  | { readonly type: 'keyword'; readonly value: string; readonly start: number }
  | {
      readonly type: 'delim';
      readonly value: '[' | ']' | '<<' | '>>' | '{' | '}';
      readonly start: number;
    }
  | { readonly type: 'eof'; readonly start: number };

/** Caps that keep a hostile file from costing more than its own size. */
export interface LexerLimits {
  /** Largest decoded string, in bytes. */
  readonly maxStringBytes: number;
  /** Longest name, keyword or number. */
  readonly maxTokenChars: number;
}

export const defaultLexerLimits: LexerLimits = {
  maxStringBytes: 32 * 1024 * 1024,
  maxTokenChars: 64 * 1024,
};

const WHITESPACE = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WHITESPACE[c] = 1;
const DELIMITER = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIMITER[c.charCodeAt(0)] = 1;

/** True for the six PDF whitespace bytes. */
export const isWhitespace = (c: number | undefined): boolean =>
  c !== undefined && WHITESPACE[c] === 1;
/** True for bytes that end a regular token: whitespace and delimiters. */
export const isTokenEnd = (c: number | undefined): boolean =>
  c === undefined || WHITESPACE[c] === 1 || DELIMITER[c] === 1;

const INT_RE = /^[+-]?\d+$/;
const REAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Tokenizer over a window of a buffer. It never reads outside `[start, end)` and never copies the
 * buffer, so it can be pointed at any offset of a large file.
 */
export class Lexer {
  readonly buf: Buffer;
  readonly end: number;
  readonly limits: LexerLimits;
  pos: number;

  constructor(buf: Buffer, pos = 0, end = buf.length, limits: LexerLimits = defaultLexerLimits) {
    this.buf = buf;
    this.pos = Math.max(0, pos);
    this.end = Math.min(end, buf.length);
    this.limits = limits;
  }

  /** Skips whitespace and comments. */
  skipWhitespace(): void {
    const { buf, end } = this;
    let p = this.pos;
    while (p < end) {
      const c = buf[p];
      if (c === undefined) break;
      if (WHITESPACE[c] === 1) {
        p++;
      } else if (c === 0x25) {
        while (p < end && buf[p] !== 0x0a && buf[p] !== 0x0d) p++;
      } else {
        break;
      }
    }
    this.pos = p;
  }

  /** Reads the next token; returns an `eof` token at the end of the window. */
  next(): Token {
    this.skipWhitespace();
    const { buf, end } = this;
    const start = this.pos;
    if (start >= end) return { type: 'eof', start };
    const c = buf[start] ?? 0;
    switch (c) {
      case 0x5b:
        this.pos++;
        return { type: 'delim', value: '[', start };
      case 0x5d:
        this.pos++;
        return { type: 'delim', value: ']', start };
      case 0x7b:
        this.pos++;
        return { type: 'delim', value: '{', start };
      case 0x7d:
        this.pos++;
        return { type: 'delim', value: '}', start };
      case 0x3c:
        if (buf[start + 1] === 0x3c && start + 1 < end) {
          this.pos += 2;
          return { type: 'delim', value: '<<', start };
        }
        return this.hexString();
      case 0x3e:
        if (buf[start + 1] === 0x3e && start + 1 < end) {
          this.pos += 2;
          return { type: 'delim', value: '>>', start };
        }
        throw new PdfFormatError('unexpected ">"', { offset: start });
      case 0x28:
        return this.literalString();
      case 0x29:
        throw new PdfFormatError('unexpected ")"', { offset: start });
      case 0x2f:
        return this.nameToken();
      default:
        return this.regular();
    }
  }

  /** Reads the next token without consuming it. */
  peek(): Token {
    const saved = this.pos;
    try {
      return this.next();
    } finally {
      this.pos = saved;
    }
  }

  private regular(): Token {
    const { buf, end } = this;
    const start = this.pos;
    let p = start;
    while (p < end && !isTokenEnd(buf[p])) {
      p++;
      if (p - start > this.limits.maxTokenChars) {
        throw new PdfFormatError('token too long', { offset: start });
      }
    }
    this.pos = p;
    const text = buf.toString('latin1', start, p);
    if (INT_RE.test(text)) {
      const value = Number(text);
      if (Number.isSafeInteger(value)) return { type: 'int', value, start };
      return { type: 'real', value, start };
    }
    if (REAL_RE.test(text)) return { type: 'real', value: Number(text), start };
    return { type: 'keyword', value: text, start };
  }

  private nameToken(): Token {
    const { buf, end } = this;
    const start = this.pos;
    let p = start + 1;
    while (p < end && !isTokenEnd(buf[p])) {
      p++;
      if (p - start > this.limits.maxTokenChars) {
        throw new PdfFormatError('name too long', { offset: start });
      }
    }
    this.pos = p;
    const raw = buf.subarray(start + 1, p);
    if (!raw.includes(0x23)) return { type: 'name', value: raw.toString('latin1'), start };
    const out = Buffer.allocUnsafe(raw.length);
    let n = 0;
    for (let i = 0; i < raw.length; i++) {
      const b = raw[i] ?? 0;
      if (b === 0x23 && i + 2 < raw.length) {
        const hi = hexValue(raw[i + 1] ?? 0);
        const lo = hexValue(raw[i + 2] ?? 0);
        if (hi >= 0 && lo >= 0) {
          out[n++] = hi * 16 + lo;
          i += 2;
          continue;
        }
      }
      out[n++] = b;
    }
    return { type: 'name', value: out.toString('latin1', 0, n), start };
  }

  private hexString(): Token {
    const { buf, end } = this;
    const start = this.pos;
    const close = buf.indexOf(0x3e, start + 1);
    if (close < 0 || close >= end)
      throw new PdfFormatError('unterminated hex string', { offset: start });
    const maxOut = Math.ceil((close - start - 1) / 2);
    if (maxOut > this.limits.maxStringBytes) {
      throw new PdfFormatError('hex string too long', { offset: start });
    }
    const out = Buffer.alloc(maxOut);
    let n = 0;
    let high = -1;
    for (let p = start + 1; p < close; p++) {
      const c = buf[p] ?? 0;
      if (WHITESPACE[c] === 1) continue;
      const v = hexValue(c);
      if (v < 0) throw new PdfFormatError('invalid hex string', { offset: p });
      if (high < 0) {
        high = v;
      } else {
        out[n++] = high * 16 + v;
        high = -1;
      }
    }
    if (high >= 0) out[n++] = high * 16;
    this.pos = close + 1;
    return { type: 'string', bytes: n === out.length ? out : out.subarray(0, n), hex: true, start };
  }

  /** Finds the closing parenthesis, so the output can be sized before decoding. */
  private literalEnd(start: number): number {
    const { buf, end } = this;
    let depth = 0;
    for (let p = start; p < end; p++) {
      const c = buf[p];
      if (c === 0x5c) {
        p++;
      } else if (c === 0x28) {
        depth++;
      } else if (c === 0x29) {
        depth--;
        if (depth === 0) return p;
      }
    }
    throw new PdfFormatError('unterminated literal string', { offset: start });
  }

  private literalString(): Token {
    const { buf } = this;
    const start = this.pos;
    const close = this.literalEnd(start);
    if (close - start - 1 > this.limits.maxStringBytes) {
      throw new PdfFormatError('literal string too long', { offset: start });
    }
    const out = Buffer.alloc(close - start - 1);
    let n = 0;
    let p = start + 1;
    while (p < close) {
      const c = buf[p] ?? 0;
      if (c === 0x0d) {
        // An unescaped end-of-line of any kind reads as a single LF (§7.3.4.2).
        out[n++] = 0x0a;
        p += buf[p + 1] === 0x0a && p + 1 < close ? 2 : 1;
        continue;
      }
      if (c !== 0x5c) {
        out[n++] = c;
        p++;
        continue;
      }
      p++;
      const e = buf[p] ?? 0;
      if (p >= close) break;
      switch (e) {
        case 0x6e:
          out[n++] = 0x0a;
          p++;
          break;
        case 0x72:
          out[n++] = 0x0d;
          p++;
          break;
        case 0x74:
          out[n++] = 0x09;
          p++;
          break;
        case 0x62:
          out[n++] = 0x08;
          p++;
          break;
        case 0x66:
          out[n++] = 0x0c;
          p++;
          break;
        case 0x0d:
          p += buf[p + 1] === 0x0a && p + 1 < close ? 2 : 1;
          break;
        case 0x0a:
          p++;
          break;
        default:
          if (e >= 0x30 && e <= 0x37) {
            let v = 0;
            let digits = 0;
            while (digits < 3 && p < close) {
              const d = buf[p] ?? 0;
              if (d < 0x30 || d > 0x37) break;
              v = v * 8 + (d - 0x30);
              p++;
              digits++;
            }
            out[n++] = v & 0xff;
          } else {
            // \( \) \\ and any unknown escape: the character itself.
            out[n++] = e;
            p++;
          }
      }
    }
    this.pos = close + 1;
    return {
      type: 'string',
      bytes: n === out.length ? out : out.subarray(0, n),
      hex: false,
      start,
    };
  }
}
