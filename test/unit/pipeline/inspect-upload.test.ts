import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inspectUpload } from '#shared/pipeline/inspect-upload.ts';

const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('inspectUpload', () => {
  it('accepts a PDF whose checksum matches the declared one', () => {
    const result = inspectUpload(pdf, { maxBytes: 1000, sha256: sha(pdf).toUpperCase() });
    expect(result.problems).toEqual([]);
    expect(result.sha256).toBe(sha(pdf));
    expect(result.size).toBe(pdf.length);
  });

  it('rejects a file without a PDF header', () => {
    const result = inspectUpload(Buffer.from('<html>not a pdf</html>'), { maxBytes: 1000 });
    expect(result.problems.map((p) => p.code)).toEqual(['NOT_A_PDF']);
  });

  it('rejects a file larger than allowed and a checksum that differs', () => {
    const result = inspectUpload(pdf, { maxBytes: 10, sha256: sha(Buffer.from('other')) });
    expect(result.problems.map((p) => p.code)).toEqual(['TOO_LARGE', 'CHECKSUM_MISMATCH']);
  });

  it('rejects an empty upload', () => {
    expect(inspectUpload(Buffer.alloc(0), { maxBytes: 10 }).problems[0]?.code).toBe('EMPTY');
  });
});
