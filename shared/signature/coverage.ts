import { contentOf, type SignedContent } from './verify-cms.ts';

/** What coverage needs to know of the file: its length and where revisions end. */
export interface CoverageInput {
  readonly fileLength: number;
  readonly byteRange: readonly number[];
  /** Offsets of the `<` and just past the `>` of the /Contents hex string, when located. */
  readonly contentsSpan?: { readonly start: number; readonly end: number };
  /** Offset just past each revision's %%EOF (its end), in revision order. */
  readonly revisionEnds: readonly number[];
}

export interface CoverageResult {
  readonly ok: boolean;
  readonly revision?: number;
  readonly coversWholeFile: boolean;
  readonly problems: readonly string[];
}

/**
 * Checks a /ByteRange the way ISO 32000-1 §12.8.1 and PAdES intend it, stricter than pdfsig:
 * two ranges, the first from byte 0, a gap that is exactly the /Contents hex string, the second
 * ending where a revision ends. Anything else leaves bytes unsigned that a viewer would render.
 */
export function checkCoverage(input: CoverageInput): CoverageResult {
  const problems: string[] = [];
  const br = input.byteRange;
  if (br.length !== 4 || br.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    return {
      ok: false,
      coversWholeFile: false,
      problems: [`ByteRange must be four non-negative integers, got [${br.join(' ')}]`],
    };
  }
  const [start1 = 0, len1 = 0, start2 = 0, len2 = 0] = br;
  const end = start2 + len2;
  if (start1 !== 0)
    problems.push(`ByteRange starts at ${start1}, not at the beginning of the file`);
  if (start2 < start1 + len1) problems.push('ByteRange ranges overlap or are out of order');
  if (end > input.fileLength) {
    problems.push(`ByteRange ends at ${end}, beyond the end of the file (${input.fileLength})`);
  }
  if (input.contentsSpan === undefined) {
    problems.push('the /Contents string of the signature could not be located in the file');
  } else if (input.contentsSpan.start !== start1 + len1 || input.contentsSpan.end !== start2) {
    problems.push(
      `the unsigned gap ${start1 + len1}..${start2} is not exactly the /Contents string ` +
        `${input.contentsSpan.start}..${input.contentsSpan.end}`,
    );
  }
  const revision = input.revisionEnds.indexOf(end);
  if (revision < 0) {
    problems.push(`ByteRange ends at ${end}, which is not the end of any revision of the file`);
  }
  return {
    ok: problems.length === 0,
    ...(revision >= 0 ? { revision } : {}),
    coversWholeFile: end === input.fileLength,
    problems,
  };
}

/**
 * The bytes a ByteRange covers as views into the file (no copy), memoised per digest algorithm
 * by `contentOf`, so a 50 MB file is hashed once per algorithm whatever asks for it.
 */
export function byteRangeContent(bytes: Buffer, byteRange: readonly number[]): SignedContent {
  const chunks: Buffer[] = [];
  for (let i = 0; i + 1 < byteRange.length; i += 2) {
    const start = byteRange[i] ?? 0;
    chunks.push(bytes.subarray(start, Math.min(bytes.length, start + (byteRange[i + 1] ?? 0))));
  }
  return contentOf(chunks);
}
