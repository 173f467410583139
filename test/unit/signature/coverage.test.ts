import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { byteRangeContent, checkCoverage } from '#signature/coverage.ts';

const base = {
  fileLength: 1000,
  byteRange: [0, 100, 300, 700],
  contentsSpan: { start: 100, end: 300 },
  revisionEnds: [600, 1000],
};

describe('checkCoverage', () => {
  it('accepts a range that leaves exactly /Contents out and ends the last revision', () => {
    expect(checkCoverage(base)).toEqual({
      ok: true,
      revision: 1,
      coversWholeFile: true,
      problems: [],
    });
  });

  it('reports an earlier revision when later updates were appended', () => {
    const result = checkCoverage({ ...base, byteRange: [0, 100, 300, 300] });
    expect(result.ok).toBe(true);
    expect(result.revision).toBe(0);
    expect(result.coversWholeFile).toBe(false);
  });

  it('refuses a gap larger than the /Contents string', () => {
    const result = checkCoverage({ ...base, byteRange: [0, 90, 300, 700] });
    expect(result.ok).toBe(false);
    expect(result.problems.join()).toMatch(/not exactly the \/Contents/);
  });

  it('refuses a range that does not start at byte 0', () => {
    expect(checkCoverage({ ...base, byteRange: [10, 90, 300, 700] }).ok).toBe(false);
  });

  it('refuses an uncovered tail that is not a revision', () => {
    const result = checkCoverage({ ...base, byteRange: [0, 100, 300, 650] });
    expect(result.ok).toBe(false);
    expect(result.problems.join()).toMatch(/not the end of any revision/);
  });

  it('refuses ranges past the end of the file, overlapping, or not four numbers', () => {
    expect(checkCoverage({ ...base, byteRange: [0, 100, 300, 900] }).ok).toBe(false);
    expect(checkCoverage({ ...base, byteRange: [0, 400, 300, 700] }).ok).toBe(false);
    expect(checkCoverage({ ...base, byteRange: [0, 100, 300, 600, 900, 100] }).ok).toBe(false);
    expect(checkCoverage({ ...base, byteRange: [0, -1, 300, 700] }).ok).toBe(false);
  });
});

describe('byteRangeContent', () => {
  it('hashes exactly the covered bytes', () => {
    const bytes = Buffer.from('aaaaXXXXbbbb');
    const expected = createHash('sha256').update('aaaabbbb').digest();
    expect(byteRangeContent(bytes, [0, 4, 8, 4]).digest('sha256')).toEqual(expected);
  });

  it('yields the covered bytes as views into the file, clamped to its end', () => {
    const bytes = Buffer.from('aaaaXXXXbbbb');
    const chunks = [...(byteRangeContent(bytes, [0, 4, 8, 100]).chunks?.() ?? [])];
    expect(chunks.map((c) => c.toString())).toEqual(['aaaa', 'bbbb']);
    expect(chunks.every((c) => c.buffer === bytes.buffer)).toBe(true);
  });
});
