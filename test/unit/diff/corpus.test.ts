import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseChangesAfter, type DiffResult } from '#signature/diff-analysis.ts';

const corpus = path.resolve(import.meta.dirname, '../../../../shared/corpus');
const pdfDir = path.resolve(import.meta.dirname, '../../../shared/pdf');
const parserReady =
  existsSync(path.join(pdfDir, 'document.ts')) && existsSync(path.join(pdfDir, 'signatures.ts'));

interface SignatureDiff {
  readonly field: string;
  readonly revision: number;
  readonly result: DiffResult;
}

/** The diff of every signature that later revisions follow, as the validator runs it. */
async function diffsOf(file: string, options: { annotations?: boolean } = {}) {
  const { openPdf } = await import('#pdf/document.ts');
  const { findSignatures } = await import('#pdf/signatures.ts');
  const doc = openPdf(readFileSync(path.join(corpus, file)));
  const last = doc.revisions.length - 1;
  const out: SignatureDiff[] = [];
  for (const sig of findSignatures(doc)) {
    if (sig.revision === undefined || sig.revision >= last) continue;
    const result = analyseChangesAfter(doc, sig.revision, {
      ...(sig.docMdpPermissions === undefined ? {} : { docMdp: sig.docMdpPermissions }),
      ...(options.annotations ? { allowAnnotationsWithoutDocMdp: true } : {}),
    });
    out.push({ field: sig.fieldName, revision: sig.revision, result });
  }
  return out;
}

const refused = [
  'dss/pdf-signed-added-page.pdf',
  'dss/pdf-removed-pages.pdf',
  'dss/dss-2236/hide.pdf',
  // Text1 keeps its value "Attacker" but gets a new appearance stream: what the page shows changes
  // while the signed value does not. pyHanko would accept this as FORM_FILLING; we refuse it.
  'dss/dss-2236/replace.pdf',
  'dss/dss-2236/annotation-and-visible-change.pdf',
  'dss/modified_after_signature.pdf',
  'pyhanko/pdf/form-update-ap-indirect-sneaky-trailer.pdf',
  'pyhanko/pdf/form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf',
  'pyhanko/pdf/form-update-override-appearance-stream-ap-indirect-sneaky.pdf',
  'pyhanko/pdf/form-update-override-appearance-stream-sneaky.pdf',
  'pyhanko/pdf/extensions-indirect-not-all-paths.pdf',
];

const accepted = [
  'pyhanko/pdf/minimal-signed-twice-both-created.pdf',
  'pyhanko/pdf/minimal-signed-twice-no-sig-type.pdf',
  'pyhanko/pdf/minimal-signed-twice-second-created.pdf',
  'pyhanko/pdf/minimal-two-fields-signed-twice.pdf',
  'pyhanko/pdf/pades-lta-dss-indirect-arrs-test.pdf',
  'pyhanko/pdf/pades-lta-dss-indirect-arrs-test-2.pdf',
  'pyhanko/pdf/form-update-no-override-appearance-stream-ap-indirect.pdf',
  'pyhanko/pdf/form-update-override-appearance-stream-ap-indirect.pdf',
  'pyhanko/pdf/form-update-override-appearance-stream.pdf',
  'pyhanko/pdf/extensions-update-direct.pdf',
  'pyhanko/pdf/extensions-update-indirect.pdf',
  'dss/pades-5-signatures-and-1-document-timestamp.pdf',
  'dss/hello_signed_INCSAVE_signed.pdf',
  'dss/PAdES-LT.pdf',
  // DSS's PAdESLevelBWithFilledFormTest expects form-fill and extension changes only, no
  // annotation or undefined changes: genuine form filling, allowed after an approval signature.
  'dss/pades-signed-filled-form.pdf',
  // iText rewrites the page tree root only to update its /ITXT version marker.
  'dss/pkcs7_sha1.pdf',
  // Later LT updates rewrite the indirect /Cert and /CRL arrays of existing VRI entries in place.
  'dss/wrong-digest-algo.pdf',
];

// Not listed: dss/hello_signed_INCSAVE_signed_EDITED.pdf has the same size as the unedited file;
// its bytes were edited inside the second signature's ByteRange, so it is a HASH_FAILURE for the
// CMS check, while its revisions are structurally the same legitimate second signature.
// dss/dss-2554/certified-*.pdf: DSS uses them only as inputs to signing (PDFSignWithPermissionsTest:
// P=1 must refuse a new signature, P=3 allows one); each certification signature closes the last
// revision, so there is nothing after it to analyse (asserted below).

describe.skipIf(!parserReady)('modification analysis on the reference corpus', () => {
  it.each(refused)('refuses the changes made after signing %s', async (file) => {
    const diffs = await diffsOf(file);

    expect(diffs.length).toBeGreaterThan(0);
    expect(diffs.some((d) => !d.result.allowed)).toBe(true);
    const reasons = diffs.flatMap((d) => d.result.reasons).join('\n');
    // hide.pdf maps two objects to one offset in its xref (the parser refuses to read object 6 as
    // object 8), so it is refused closed rather than explained: still never accepted.
    if (!file.endsWith('hide.pdf')) {
      expect(reasons).not.toMatch(/could not be analysed|budget exceeded/);
    } else {
      expect(reasons).toMatch(/object 6 0 expected, found 8 0/);
    }
  });

  it.each(accepted)('accepts every revision that follows a signature in %s', async (file) => {
    const diffs = await diffsOf(file);

    expect(diffs.length).toBeGreaterThan(0);
    for (const d of diffs) {
      expect({ field: d.field, reasons: d.result.reasons }).toEqual({
        field: d.field,
        reasons: [],
      });
    }
  });

  it.each([
    'dss/dss-2554/certified-no-change-permitted.pdf',
    'dss/dss-2554/certified-changes-permitted.pdf',
  ])('finds no revision after the certification signature of %s', async (file) => {
    expect(await diffsOf(file)).toEqual([]);
  });

  // DSS's PAdESLevelBWithAnnotAddedTest expects extension, signature/form-fill and annotation
  // changes but no undefined change. Annotations after an approval signature are refused by our
  // default policy for government documents and accepted only when the option allows them.
  it('classifies the annotation added to pades-signed-annot-added as ANNOTATIONS', async () => {
    const strict = await diffsOf('dss/pades-signed-annot-added.pdf');
    const lenient = await diffsOf('dss/pades-signed-annot-added.pdf', { annotations: true });

    expect(strict.map((d) => d.result.level)).toContain('ANNOTATIONS');
    expect(strict.some((d) => !d.result.allowed)).toBe(true);
    expect(lenient.every((d) => d.result.allowed)).toBe(true);
  });
});
