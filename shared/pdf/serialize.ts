import { PdfFormatError } from './errors.ts';
import type { PdfName, PdfObject, PdfString } from './objects.ts';

/** Name characters written as themselves: regular characters of §7.2.2 except `#`. */
function isPlainNameByte(b: number): boolean {
  if (b < 0x21 || b > 0x7e) return false;
  return !'()<>[]{}/%#'.includes(String.fromCharCode(b));
}

const hex2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

/** `/Name` with `#xx` escapes (§7.3.5); the value is the decoded name as the lexer gives it. */
export function serializeName(n: PdfName): string {
  // The lexer decodes names as Latin-1; anything beyond that range is written as UTF-8.
  const bytes = /^[\0-\xff]*$/.test(n.value)
    ? Buffer.from(n.value, 'latin1')
    : Buffer.from(n.value, 'utf8');
  let out = '/';
  for (const b of bytes) {
    if (b === 0) throw new PdfFormatError('a PDF name cannot contain a NUL byte');
    out += isPlainNameByte(b) ? String.fromCharCode(b) : `#${hex2(b)}`;
  }
  return out;
}

const literalEscapes: ReadonlyMap<number, string> = new Map([
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x28, '\\('],
  [0x29, '\\)'],
  [0x5c, '\\\\'],
]);

/**
 * A string as `<hex>` when it was hex, else as a literal with every byte a reader could alter
 * escaped: parentheses and backslash, end-of-line bytes (a bare CR would be read as LF), and
 * non-printable bytes in octal.
 */
export function serializeString(s: PdfString): string {
  if (s.hex) return `<${s.bytes.toString('hex').toUpperCase()}>`;
  let out = '(';
  for (const b of s.bytes) {
    const escaped = literalEscapes.get(b);
    if (escaped !== undefined) out += escaped;
    else if (b < 0x20 || b > 0x7e) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out})`;
}

/** A number without exponent (§7.3.3): integers as they are, reals with at most 6 decimals. */
export function serializeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new PdfFormatError(`cannot write the number ${n} in a PDF`);
  if (Number.isSafeInteger(n)) return String(n);
  if (Math.abs(n) >= 1e15) throw new PdfFormatError(`number ${n} is too large for a PDF real`);
  const fixed = n.toFixed(6).replace(/\.?0+$/, '');
  return fixed === '-0' ? '0' : fixed;
}

/**
 * The PDF syntax of a direct object, as a Latin-1 string (one character per byte). Streams are
 * not direct objects and are refused: their data is written by the incremental writer.
 */
export function serializeObject(o: PdfObject): string {
  if (o === null) return 'null';
  if (typeof o === 'boolean') return o ? 'true' : 'false';
  if (typeof o === 'number') return serializeNumber(o);
  switch (o.kind) {
    case 'name':
      return serializeName(o);
    case 'string':
      return serializeString(o);
    case 'ref':
      return `${o.num} ${o.gen} R`;
    case 'array':
      return `[${o.items.map(serializeObject).join(' ')}]`;
    case 'dict': {
      const entries = [...o.entries].map(
        ([key, value]) =>
          `${serializeName({ kind: 'name', value: key })} ${serializeObject(value)}`,
      );
      return `<<${entries.join(' ')}>>`;
    }
    case 'stream':
      throw new PdfFormatError('a stream cannot be written as a direct object');
  }
}

/** The object's syntax as bytes. */
export function serializeToBuffer(o: PdfObject): Buffer {
  return Buffer.from(serializeObject(o), 'latin1');
}
