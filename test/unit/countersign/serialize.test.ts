import { describe, expect, it } from 'vitest';
import { Lexer } from '#pdf/lexer.ts';
import { arr, dict, name, type PdfObject, ref, str } from '#pdf/objects.ts';
import { Parser } from '#pdf/parser.ts';
import {
  serializeName,
  serializeNumber,
  serializeObject,
  serializeToBuffer,
} from '#pdf/serialize.ts';
import { decodeTextString, textString } from '#pdf/text-string.ts';

const reparse = (o: PdfObject): PdfObject =>
  new Parser(new Lexer(serializeToBuffer(o))).parseObject();

describe('serializeObject', () => {
  it('round-trips a nested structure through the parser', () => {
    const value = dict({
      Type: name('Sig'),
      ByteRange: arr([0, 100, 200, 300]),
      Contents: str(Buffer.from([0, 1, 0xfe, 0xff]), true),
      Reason: str('a (b) \\ c\r\nd\t\x01\xff'),
      Ref: ref(12, 3),
      Flags: arr([true, false, null, -1.5, 0.25]),
      Nested: dict({ Empty: arr([]), D: dict() }),
    });

    expect(reparse(value)).toEqual(value);
  });

  it('escapes delimiters, # and bytes outside the printable range in names', () => {
    expect(serializeName(name('A B#C/D(E)'))).toBe('/A#20B#23C#2FD#28E#29');
    expect(serializeName(name('Adobe.PPKLite'))).toBe('/Adobe.PPKLite');
    expect(reparse(name('x\xe9 y'))).toEqual(name('x\xe9 y'));
  });

  it('escapes end-of-line bytes in literal strings so no reader normalises them', () => {
    const written = serializeObject(str('line1\rline2\nend'));

    expect(written).toBe('(line1\\rline2\\nend)');
    expect(reparse(str('line1\rline2\nend'))).toEqual(str('line1\rline2\nend'));
  });

  it('writes numbers without an exponent', () => {
    expect(serializeNumber(1e-7)).toBe('0');
    expect(serializeNumber(0.000123)).toBe('0.000123');
    expect(serializeNumber(123456789012)).toBe('123456789012');
    expect(serializeNumber(-2.5)).toBe('-2.5');
    expect(() => serializeNumber(Number.NaN)).toThrow();
    expect(() => serializeNumber(1e300)).toThrow();
  });

  it('refuses a parsed stream, whose data it does not hold', () => {
    expect(() =>
      serializeObject({ kind: 'stream', dict: dict(), dataOffset: 0, dataLength: 0 }),
    ).toThrow(/stream/);
  });
});

describe('textString', () => {
  it('keeps ASCII text as a literal and writes Vietnamese as UTF-16BE with a BOM', () => {
    expect(textString('Quang Ngai')).toEqual(str('Quang Ngai'));
    const vi = textString('Văn phòng UBND tỉnh Quảng Ngãi');
    expect(vi.bytes.subarray(0, 2)).toEqual(Buffer.from([0xfe, 0xff]));
    expect(decodeTextString(vi)).toBe('Văn phòng UBND tỉnh Quảng Ngãi');
  });
});
