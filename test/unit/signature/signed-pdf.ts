import { type ObjectSpec, writeRevision } from '../pdf/pdf-factory.ts';

/** Room for the CMS in /Contents, in bytes (hex doubles it). */
const CONTENTS_BYTES = 12_000;
const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';

export interface SignedPdfOptions {
  /** Makes the CMS over the bytes the ByteRange covers (e.g. `pki.sign({ content })`). */
  readonly sign: (content: Buffer) => Buffer;
  /** @default 'Sig' */
  readonly type?: 'Sig' | 'DocTimeStamp';
  /** @default 'ETSI.CAdES.detached' */
  readonly subFilter?: string;
  /** /M as written. @default the current time */
  readonly signingTime?: Date;
  /** An existing document to sign as an incremental update; a fresh one-page file otherwise. */
  readonly base?: Buffer;
}

const pdfDate = (d: Date): string => `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/**
 * A signed PDF built the way a signing tool does it: the signature field, widget and dictionary
 * with a zero-filled /Contents, then the ByteRange patched in and the CMS over those bytes hexed
 * into the gap. Signing an existing document appends a revision with fresh object numbers.
 */
export function makeSignedPdf(options: SignedPdfOptions): Buffer {
  const base = options.base;
  const first = base === undefined ? 4 : highestObjectNumber(base) + 1;
  const field = first;
  const sig = first + 1;
  const sigDict =
    `<< /Type /${options.type ?? 'Sig'} /Filter /Adobe.PPKLite /SubFilter /${options.subFilter ?? 'ETSI.CAdES.detached'} ` +
    `${BYTE_RANGE_PLACEHOLDER} /M (${pdfDate(options.signingTime ?? new Date())}) ` +
    `/Contents <${'0'.repeat(CONTENTS_BYTES * 2)}> >>`;
  const objects: ObjectSpec[] = [
    [
      field,
      `<< /FT /Sig /T (Signature${field}) /V ${sig} 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P 3 0 R >>`,
    ],
    [sig, sigDict],
  ];
  let pdf: Buffer;
  if (base === undefined) {
    pdf = writeRevision(
      Buffer.alloc(0),
      [
        [1, '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>'],
        [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
        [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>'],
        ...objects,
      ],
      { trailer: '/Root 1 0 R' },
    );
  } else {
    pdf = writeRevision(
      base,
      [
        [
          1,
          `<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R ${field} 0 R] /SigFlags 3 >> >>`,
        ],
        [3, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R ${field} 0 R] >>`],
        ...objects,
      ],
      { trailer: `/Root 1 0 R /Size ${sig + 1}` },
    );
  }
  return fillSignature(pdf, options.sign);
}

function highestObjectNumber(pdf: Buffer): number {
  let max = 0;
  for (const m of pdf.toString('latin1').matchAll(/(\d+) 0 obj/g))
    max = Math.max(max, Number(m[1]));
  return max;
}

/** Patches the last ByteRange placeholder and /Contents of `pdf` with a CMS over the ranges. */
export function fillSignature(pdf: Buffer, sign: (content: Buffer) => Buffer): Buffer {
  const text = pdf.toString('latin1');
  const brAt = text.lastIndexOf(BYTE_RANGE_PLACEHOLDER);
  const contentsAt = text.indexOf('/Contents <', brAt) + '/Contents '.length;
  const contentsEnd = text.indexOf('>', contentsAt) + 1;
  const range = [0, contentsAt, contentsEnd, pdf.length - contentsEnd];
  const written = `/ByteRange [${range.join(' ')}]`.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' ');
  const out = Buffer.from(pdf);
  out.write(written, brAt, 'latin1');
  const cms = sign(Buffer.concat([out.subarray(0, contentsAt), out.subarray(contentsEnd)]));
  if (cms.length > CONTENTS_BYTES) throw new Error(`CMS of ${cms.length} bytes does not fit`);
  out.write(cms.toString('hex'), contentsAt + 1, 'latin1');
  return out;
}
