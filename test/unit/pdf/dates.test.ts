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

describe('parsePdfDate on impossible dates', () => {
  it.each([
    ['month 13', 'D:20191301000000Z'],
    ['month 00', 'D:20190001000000Z'],
    ['31 February', 'D:20190231120000Z'],
    ['29 February of a common year', 'D:20190229120000Z'],
    ['day 00', 'D:20190400120000Z'],
    ['31 April', "D:20190431120000+07'00'"],
    ['hour 25', 'D:20190416250000Z'],
    ['hour 24', 'D:20190416240000Z'],
    ['minute 60', 'D:20190416096000Z'],
    ['second 60', 'D:20190416093060Z'],
    ['an offset of 24 hours', "D:20190416093000+24'00'"],
    ['an offset minute of 60', "D:20190416093000+07'60'"],
  ])('gives undefined for %s, as for malformed text', (_, text) => {
    expect(parsePdfDate(text)).toBeUndefined();
  });

  it('reads 29 February of a leap year and the last second of a day', () => {
    expect(parsePdfDate('D:20200229235959Z')).toEqual(new Date('2020-02-29T23:59:59Z'));
    expect(parsePdfDate('D:2000022912')).toEqual(new Date('2000-02-29T12:00:00Z'));
  });

  it('reads years before 100 as written, not as 19xx', () => {
    expect(parsePdfDate('D:00500101')?.getUTCFullYear()).toBe(50);
  });
});
