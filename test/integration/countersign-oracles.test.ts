import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countersignPdf } from '#signature/countersign.ts';
import { makeOrgIdentity } from '#test/unit/countersign/signing-fixture.ts';

/*
 * Third-party readers judge the countersigned files: qpdf for structure, poppler's pdfsig for the
 * signatures. qpdf exits 0 (clean), 2 (errors) or 3 (warnings only). An incremental update cannot
 * repair what earlier revisions got wrong without breaking their signatures, so exit 3 is accepted
 * only when the input already exits 3 with exactly the same warnings: the update adds none.
 */

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus');
const work = mkdtempSync(path.join(tmpdir(), 'edoc-countersign-oracles-'));
const org = makeOrgIdentity();
afterAll(() => {
  org.pki.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function qpdfCheck(file: string): { status: number | null; warnings: string[] } {
  const run = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  const warnings = `${run.stdout}${run.stderr}`
    .split('\n')
    .filter((line) => line.startsWith('WARNING'))
    .map((line) => line.replace(file, '<file>'));
  return { status: run.status, warnings };
}

interface PdfsigBlock {
  readonly fieldName: string | undefined;
  readonly valid: boolean;
  readonly totalDocument: boolean;
}

function pdfsig(file: string): PdfsigBlock[] {
  const run = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  return run.stdout
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((block) => ({
      fieldName: /Signature Field Name: (.*)$/m.exec(block)?.[1]?.trim(),
      valid: block.includes('Signature Validation: Signature is Valid.'),
      totalDocument: /^\s*- Total document signed$/m.test(block),
    }));
}

/** Reddish pixels of page 1 rendered at 72 dpi (1 px = 1 pt), inside and outside a rectangle. */
function redPixels(
  file: string,
  [x1, y1, x2, y2]: readonly [number, number, number, number],
): { inside: number; outside: number } {
  const ppm = spawnSync('pdftoppm', ['-r', '72', '-f', '1', '-l', '1', file]).stdout;
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 32));
  if (!header?.[1] || !header[2]) throw new Error('pdftoppm did not write a PPM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  const data = ppm.subarray(header[0].length);
  let inside = 0;
  let outside = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = 3 * (y * width + x);
      const [r = 0, g = 0, b = 0] = data.subarray(at, at + 3);
      if (!(r > 120 && g < 100 && b < 100)) continue;
      const pdfY = height - y;
      if (x >= x1 - 1 && x <= x2 + 1 && pdfY >= y1 - 1 && pdfY <= y2 + 1) inside++;
      else outside++;
    }
  }
  return { inside, outside };
}

const inputs = [
  'pyhanko/pdf/minimal.pdf',
  'pyhanko/pdf/minimal-xref.pdf',
  'pyhanko/pdf/minimal-hybrid-xref.pdf',
  'pyhanko/pdf/minimal-with-field.pdf',
  'pyhanko/pdf/minimal-one-field-indir-annots.pdf',
  'pyhanko/pdf/pades-lta-dss-indirect-arrs-test.pdf',
  'pyhanko/pdf/pades-lta-dss-indirect-arrs-test-2.pdf',
  'pyhanko/pdf/minimal-signed-twice-both-created.pdf',
  'pyhanko/pdf/minimal-signed-twice-second-created.pdf',
  'pyhanko/pdf/minimal-signed-twice-no-sig-type.pdf',
  'pyhanko/pdf/minimal-two-fields-signed-twice.pdf',
  'dss/pdf-xref-streams.pdf',
  'dss/pades-5-signatures-and-1-document-timestamp.pdf',
];

async function countersignToFile(inputFile: string, name: string): Promise<string> {
  const result = await countersignPdf(readFileSync(inputFile), {
    signer: org.signer,
    certificateChain: org.chain,
    reason: 'Ký số của cơ quan',
    location: 'Quảng Ngãi',
  });
  const out = path.join(work, name);
  writeFileSync(out, result.pdf);
  return out;
}

describe('countersigned files, as qpdf and pdfsig see them', () => {
  it.each(inputs)('%s', async (file) => {
    const input = path.join(corpus, file);
    const out = await countersignToFile(input, path.basename(file));

    const before = qpdfCheck(input);
    const after = qpdfCheck(out);
    if (before.status === 0) expect(after).toEqual({ status: 0, warnings: [] });
    else expect(after).toEqual(before);
    expect(before.status === 0 || before.status === 3).toBe(true);

    const earlier = pdfsig(input);
    const blocks = pdfsig(out);
    expect(blocks).toHaveLength(earlier.length + 1);
    expect(blocks.at(-1)).toEqual({ fieldName: 'OrgSignature1', valid: true, totalDocument: true });
    expect(blocks.slice(0, -1).map((b) => b.valid)).toEqual(earlier.map((b) => b.valid));
    expect(blocks.slice(0, -1).every((b) => !b.totalDocument)).toBe(true);
  });

  it('renders a visible stamp inside its rectangle and nothing for the invisible one', async () => {
    const input = readFileSync(path.join(corpus, 'pyhanko/pdf/minimal-two-pages.pdf'));
    const rect = [140, 84, 296, 140] as const;
    const visible = await countersignPdf(input, {
      signer: org.signer,
      certificateChain: org.chain,
      stamp: { rect, organization: 'Văn phòng UBND tỉnh Quảng Ngãi' },
    });
    const stampFile = path.join(work, 'stamp.pdf');
    writeFileSync(stampFile, visible.pdf);
    const plainFile = await countersignToFile(
      path.join(corpus, 'pyhanko/pdf/minimal-two-pages.pdf'),
      'plain.pdf',
    );

    expect(qpdfCheck(stampFile)).toEqual({ status: 0, warnings: [] });
    expect(pdfsig(stampFile).at(-1)).toMatchObject({ valid: true, totalDocument: true });
    expect(redPixels(stampFile, rect).inside).toBeGreaterThan(100);
    expect(redPixels(stampFile, rect).outside).toBe(0);
    expect(redPixels(plainFile, rect).inside).toBe(0);
  });

  it('accepts a second countersignature on top of the first', async () => {
    const once = await countersignToFile(
      path.join(corpus, 'pyhanko/pdf/minimal-xref.pdf'),
      'once.pdf',
    );
    const twice = await countersignToFile(once, 'twice.pdf');

    expect(qpdfCheck(twice)).toEqual({ status: 0, warnings: [] });
    expect(pdfsig(twice)).toEqual([
      { fieldName: 'OrgSignature1', valid: true, totalDocument: false },
      { fieldName: 'OrgSignature2', valid: true, totalDocument: true },
    ]);
  });
});
