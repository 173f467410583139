import { describe, expect, it } from 'vitest';
import { PdfFormatError } from '#pdf/errors.ts';
import { Lexer } from '#pdf/lexer.ts';
import { isArray, isDict, isStream, isString, type PdfObject } from '#pdf/objects.ts';
import { parseIndirectObjectAt, parseObjectAt } from '#pdf/parser.ts';

const parse = (text: string): PdfObject => parseObjectAt(Buffer.from(text, 'latin1'), 0).value;
const stringOf = (text: string): string => {
  const v = parse(text);
  if (!isString(v)) throw new Error('not a string');
  return v.bytes.toString('latin1');
};

describe('lexer', () => {
  it('reads integers, reals and signs', () => {
    const lexer = new Lexer(Buffer.from('12 -7 +3 4. -.5 0.25'));
    const values = [];
    for (let t = lexer.next(); t.type !== 'eof'; t = lexer.next()) values.push(t);
    expect(values.map((t) => t.type)).toEqual(['int', 'int', 'int', 'real', 'real', 'real']);
    expect(values.map((t) => ('value' in t ? t.value : undefined))).toEqual([
      12, -7, 3, 4, -0.5, 0.25,
    ]);
  });

  it('skips comments and all six whitespace characters', () => {
    const lexer = new Lexer(Buffer.from('\0\t\n\f\r % comment\r\n/A'));
    expect(lexer.next()).toMatchObject({ type: 'name', value: 'A' });
  });

  it('decodes #xx escapes in names', () => {
    expect(parse('/Lime#20Green')).toEqual({ kind: 'name', value: 'Lime Green' });
    expect(parse('/A#23B')).toEqual({ kind: 'name', value: 'A#B' });
  });

  it('stops reading at the end of its window', () => {
    const lexer = new Lexer(Buffer.from('123456'), 0, 3);
    expect(lexer.next()).toMatchObject({ type: 'int', value: 123 });
    expect(lexer.next().type).toBe('eof');
  });
});

describe('literal and hex strings', () => {
  it('keeps balanced parentheses', () => {
    expect(stringOf('(a (nested) string)')).toBe('a (nested) string');
  });

  it('decodes escapes, octal codes and line continuations', () => {
    expect(stringOf('(\\n\\r\\t\\b\\f\\(\\)\\\\)')).toBe('\n\r\t\b\f()\\');
    expect(stringOf('(\\101\\1011\\7)')).toBe('AA1\x07');
    expect(stringOf('(split \\\nline)')).toBe('split line');
  });

  it('reads a bare CR or CRLF inside a string as LF', () => {
    expect(stringOf('(a\r\nb\rc)')).toBe('a\nb\nc');
  });

  it('decodes hex strings with whitespace and an odd final digit', () => {
    const v = parse('<48 65 6C6c 6F 7>');
    expect(isString(v) && v.hex).toBe(true);
    expect(isString(v) && [...v.bytes]).toEqual([0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x70]);
  });

  it('refuses an unterminated or invalid string with a PdfFormatError', () => {
    expect(() => parse('(never closed')).toThrow(PdfFormatError);
    expect(() => parse('<4142')).toThrow(PdfFormatError);
    expect(() => parse('<41zz>')).toThrow(PdfFormatError);
  });
});

describe('object parser', () => {
  it('reads arrays, dictionaries, booleans and references', () => {
    const v = parse('<< /Kids [1 0 R 2 0 R] /Count 2 /Flag true /Off false /Rect [0 0 1.5 -2] >>');
    expect(isDict(v)).toBe(true);
    if (!isDict(v)) return;
    expect(v.entries.get('Kids')).toEqual({
      kind: 'array',
      items: [
        { kind: 'ref', num: 1, gen: 0 },
        { kind: 'ref', num: 2, gen: 0 },
      ],
    });
    expect(v.entries.get('Count')).toBe(2);
    expect(v.entries.get('Flag')).toBe(true);
    expect(v.entries.get('Off')).toBe(false);
  });

  it('treats a null dictionary value as an absent entry', () => {
    const v = parse('<< /A null /B 1 >>');
    expect(isDict(v) && [...v.entries.keys()]).toEqual(['B']);
  });

  it('does not take two integers not followed by R for a reference', () => {
    const v = parse('[1 2 3 R 4 5]');
    expect(isArray(v) && v.items).toEqual([1, { kind: 'ref', num: 2, gen: 3 }, 4, 5]);
  });

  it('refuses nesting deeper than the limit', () => {
    expect(() => parse(`${'['.repeat(65)}${']'.repeat(65)}`)).toThrow(PdfFormatError);
    expect(() => parse(`${'['.repeat(60)}${']'.repeat(60)}`)).not.toThrow();
  });

  it('refuses a non-name dictionary key and an unknown keyword as the object', () => {
    expect(() => parse('<< 1 2 >>')).toThrow(PdfFormatError);
    expect(() => parse('bogus')).toThrow(PdfFormatError);
  });

  it('reads writer garbage such as -1.#INF inside containers as null', () => {
    expect(parse('[1 -1.#INF 2]')).toEqual({ kind: 'array', items: [1, null, 2] });
    const d = parse('<< /A -1.#INF /B 1 >>');
    expect(isDict(d) && [...d.entries.keys()]).toEqual(['B']);
  });
});

describe('indirect objects and streams', () => {
  it('reads n g obj … endobj and reports its span', () => {
    const buf = Buffer.from('junk 12 0 obj\n<< /A 1 >>\nendobj\ntail');
    const obj = parseIndirectObjectAt(buf, 5);
    expect(obj).toMatchObject({ num: 12, gen: 0, start: 5 });
    expect(buf.toString('latin1', obj.start, obj.end)).toBe('12 0 obj\n<< /A 1 >>\nendobj');
  });

  it('trusts /Length when endstream follows it', () => {
    const buf = Buffer.from('1 0 obj << /Length 5 >> stream\r\nabcde\r\nendstream endobj');
    const obj = parseIndirectObjectAt(buf, 0);
    expect(isStream(obj.value)).toBe(true);
    if (!isStream(obj.value)) return;
    expect(
      buf.toString('latin1', obj.value.dataOffset, obj.value.dataOffset + obj.value.dataLength),
    ).toBe('abcde');
  });

  it('falls back to scanning for endstream when /Length is wrong or huge', () => {
    for (const length of ['3', '999999999', '-4', '7 0 R']) {
      const buf = Buffer.from(`1 0 obj << /Length ${length} >> stream\nabcdefg\nendstream\nendobj`);
      const obj = parseIndirectObjectAt(buf, 0);
      expect(isStream(obj.value) && obj.value.dataLength).toBe(7);
    }
  });

  it('resolves an indirect /Length through the caller', () => {
    const buf = Buffer.from('1 0 obj << /Length 9 0 R >> stream\nab endstream\nendstream\nendobj');
    const obj = parseIndirectObjectAt(buf, 0, { resolveLength: () => 12 });
    expect(isStream(obj.value) && obj.value.dataLength).toBe(12);
  });

  it('records the span of each top-level dictionary value', () => {
    const buf = Buffer.from('5 0 obj << /Contents <0A0B00> /ByteRange [0 1 2 3] >> endobj');
    const span = parseIndirectObjectAt(buf, 0).keySpans.get('Contents');
    expect(span && buf.toString('latin1', span.start, span.end)).toBe('<0A0B00>');
  });

  it('refuses a missing object header', () => {
    expect(() => parseIndirectObjectAt(Buffer.from('<< >>'), 0)).toThrow(PdfFormatError);
    expect(() => parseIndirectObjectAt(Buffer.from('1 0 obj'), 99)).toThrow(PdfFormatError);
  });
});
