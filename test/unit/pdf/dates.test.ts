import { describe, expect, it } from 'vitest';
import { formatPdfDate, parsePdfDate } from '#pdf/dates.ts';

describe('formatPdfDate', () => {
  it("writes the local time of the offset with a +07'00' suffix", () => {
    expect(formatPdfDate(new Date('2019-12-31T20:05:09Z'), 420)).toBe("D:20200101030509+07'00'");
    expect(formatPdfDate(new Date('2019-12-31T20:05:09Z'), -90)).toBe("D:20191231183509-01'30'");
  });
});

describe('parsePdfDate', () => {
  it('reads the instant a formatted date names, whatever its offset', () => {
    const instant = new Date('2019-12-31T20:05:09Z');
    expect(parsePdfDate(formatPdfDate(instant, 420))).toEqual(instant);
    expect(parsePdfDate(formatPdfDate(instant, -90))).toEqual(instant);
  });

  it('reads a date without offset as UTC and fills the parts left out', () => {
    expect(parsePdfDate('D:20190416093000Z')).toEqual(new Date('2019-04-16T09:30:00Z'));
    expect(parsePdfDate('D:2019')).toEqual(new Date('2019-01-01T00:00:00Z'));
  });

  it('gives undefined for text that is not a PDF date', () => {
    expect(parsePdfDate(undefined)).toBeUndefined();
    expect(parsePdfDate('16/04/2019')).toBeUndefined();
  });
});
