import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPdf } from '#pdf/document.ts';
import { isArray, isDict, isRef, type PdfDict } from '#pdf/objects.ts';
import { findSignatures } from '#pdf/signatures.ts';
import { onlySigner, parseSignedData } from '#signature/cms.ts';
import { buildPadesCms, estimateCmsSize } from '#signature/cms-builder.ts';
import { CountersignError, countersignPdf, isoDateTime } from '#signature/countersign.ts';
import { checkCoverage } from '#signature/coverage.ts';
import { writeRevision } from '#test/unit/pdf/pdf-factory.ts';
import { checkSignatures, makeOrgIdentity, ORG_CN } from './signing-fixture.ts';

const corpus = path.resolve(import.meta.dirname, '../../../../shared/corpus');
const corpusFile = (file: string) => readFileSync(path.join(corpus, file));

const org = makeOrgIdentity();
const work = mkdtempSync(path.join(tmpdir(), 'edoc-countersign-'));
afterAll(() => {
  org.pki.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const sign = (input: Buffer, extra: Partial<Parameters<typeof countersignPdf>[1]> = {}) =>
  countersignPdf(input, { signer: org.signer, certificateChain: org.chain, ...extra });

/** A comparable digest of what our verifier says of each earlier signature. */
const verdicts = (pdf: Buffer) =>
  checkSignatures(pdf).map((s) => ({
    name: s.field.fieldName,
    coverageOk: s.coverage.ok,
    revision: s.coverage.revision,
    messageDigest: s.cms.messageDigest,
    signatureValue: s.cms.signatureValue,
  }));

const corpusInputs = [
  'pyhanko/pdf/minimal.pdf',
  'pyhanko/pdf/minimal-xref.pdf',
  'pyhanko/pdf/minimal-hybrid-xref.pdf',
  'pyhanko/pdf/minimal-with-field.pdf',
  'pyhanko/pdf/minimal-one-field-indir-annots.pdf',
  'pyhanko/pdf/minimal-two-pages.pdf',
  'pyhanko/pdf/uncompressed-objstream-sample.pdf',
  'pyhanko/pdf/pades-lta-dss-indirect-arrs-test.pdf',
  'pyhanko/pdf/pades-lta-dss-indirect-arrs-test-2.pdf',
  'pyhanko/pdf/minimal-signed-twice-both-created.pdf',
  'pyhanko/pdf/minimal-signed-twice-second-created.pdf',
  'pyhanko/pdf/minimal-signed-twice-no-sig-type.pdf',
  'pyhanko/pdf/minimal-two-fields-signed-twice.pdf',
  'dss/pdf-xref-streams.pdf',
  'dss/pades-5-signatures-and-1-document-timestamp.pdf',
  'dss/dss-2554/certified-changes-permitted.pdf',
];

describe('countersignPdf on corpus files', () => {
  it.each(corpusInputs)(
    '%s: appends a valid, whole-file signature and keeps every earlier one',
    async (file) => {
      const input = corpusFile(file);
      const before = verdicts(input);

      const result = await sign(input);

      expect(result.pdf.subarray(0, input.length).equals(input)).toBe(true);
      const lastKind = openPdf(input).revisions.at(-1)?.xrefKind;
      expect(result.xrefKind).toBe(lastKind === 'stream' ? 'stream' : 'table');
      expect(openPdf(result.pdf).revisions.at(-1)?.xrefKind).toBe(result.xrefKind);
      const after = checkSignatures(result.pdf);
      const added = after.find((s) => s.field.fieldName === result.fieldName);
      expect(added?.field.byteRange).toEqual([...result.byteRange]);
      expect(added?.coverage.problems).toEqual([]);
      expect(added?.coverage.coversWholeFile).toBe(true);
      expect(added?.cms.messageDigest).toBe('match');
      expect(added?.cms.signatureValue).toBe('valid');
      expect(added?.cms.reasons).toEqual([]);
      expect(verdicts(result.pdf).filter((v) => v.name !== result.fieldName)).toEqual(before);
    },
  );
});

describe('countersignPdf', () => {
  it('writes the signature dictionary PAdES expects, named after the certificate CN', async () => {
    const signingTime = new Date('2019-04-16T02:30:00Z');

    const result = await sign(corpusFile('pyhanko/pdf/minimal.pdf'), {
      signingTime,
      reason: 'Ký số của cơ quan',
      location: 'Quảng Ngãi',
    });

    const [field] = findSignatures(openPdf(result.pdf));
    expect(field).toMatchObject({
      fieldName: 'OrgSignature1',
      type: 'Sig',
      filter: 'Adobe.PPKLite',
      subFilter: 'ETSI.CAdES.detached',
      signingTime: "D:20190416093000+07'00'",
      name: ORG_CN,
      reason: 'Ký số của cơ quan',
      location: 'Quảng Ngãi',
    });
    expect(field?.contents.length).toBe(estimateCmsSize(org.chain, false));
    expect(field?.contents.subarray(0, result.cms.length).equals(result.cms)).toBe(true);
    expect(field?.contents.subarray(result.cms.length).every((b) => b === 0)).toBe(true);
  });

  it('produces a CMS that openssl verifies over the two byte ranges', async () => {
    const result = await sign(corpusFile('pyhanko/pdf/minimal-xref.pdf'));
    const [a, b, c, d] = result.byteRange;
    const signed = Buffer.concat([result.pdf.subarray(a, a + b), result.pdf.subarray(c, c + d)]);

    expect(org.pki.verifiesCms(result.cms, signed)).toBe(true);
    expect(org.pki.verifiesCms(result.cms, Buffer.concat([signed, Buffer.from('x')]))).toBe(false);
  });

  it('adds an invisible, locked, printable widget to the first page and the field to a new AcroForm', async () => {
    const input = corpusFile('pyhanko/pdf/minimal-two-pages.pdf');

    const result = await sign(input);

    const doc = openPdf(result.pdf);
    const catalog = doc.catalog();
    const form = doc.resolve(catalog.entries.get('AcroForm'));
    expect(isDict(form) && form.entries.get('SigFlags')).toBe(3);
    const fields = isDict(form) ? doc.resolve(form.entries.get('Fields')) : undefined;
    expect(isArray(fields) && fields.items).toHaveLength(1);
    const fieldRef = isArray(fields) ? fields.items[0] : undefined;
    const widget = doc.resolve(fieldRef);
    const pages = firstTwoPages(doc);
    expect(isDict(widget) && widget.entries.get('Rect')).toEqual({
      kind: 'array',
      items: [0, 0, 0, 0],
    });
    expect(isDict(widget) && widget.entries.get('F')).toBe(132);
    expect(isDict(widget) && widget.entries.get('P')).toEqual(pages[0]?.ref);
    const annots = doc.resolve(pages[0]?.dict.entries.get('Annots'));
    expect(isArray(annots) && annots.items).toContainEqual(fieldRef);
    expect(pages[1]?.dict.entries.has('Annots')).toBe(false);
  });

  it('rewrites an indirect /Annots array and leaves the page object as it was', async () => {
    const input = corpusFile('pyhanko/pdf/minimal-one-field-indir-annots.pdf');
    const doc = openPdf(input);
    const [page] = firstTwoPages(doc);
    const annotsRef = page?.dict.entries.get('Annots');
    expect(isRef(annotsRef)).toBe(true);

    const result = await sign(input);

    const out = openPdf(result.pdf);
    const written = out.revisions.at(-1)?.entries;
    expect(written?.has(isRef(annotsRef) ? annotsRef.num : -1)).toBe(true);
    expect(written?.has(page?.ref?.num ?? -1)).toBe(false);
    const annots = out.resolve(annotsRef);
    expect(isArray(annots) && annots.items.length).toBe(
      (() => {
        const old = doc.resolve(annotsRef);
        return isArray(old) ? old.items.length + 1 : -1;
      })(),
    );
  });

  it('keeps an existing empty signature field and adds its own beside it', async () => {
    const input = corpusFile('pyhanko/pdf/minimal-with-field.pdf');

    const result = await sign(input);

    const doc = openPdf(result.pdf);
    const form = doc.resolve(doc.catalog().entries.get('AcroForm'));
    const fields = isDict(form) ? doc.resolve(form.entries.get('Fields')) : undefined;
    const names = (isArray(fields) ? fields.items : []).map((f) => {
      const d = doc.resolve(f);
      const t = isDict(d) ? d.entries.get('T') : undefined;
      return t && typeof t === 'object' && t.kind === 'string' ? t.bytes.toString('latin1') : '';
    });
    expect(names).toEqual(['Sig1', 'OrgSignature1']);
  });

  it('countersigns twice: the second field is numbered on and both signatures stay valid', async () => {
    const input = corpusFile('pyhanko/pdf/pades-lta-dss-indirect-arrs-test.pdf');

    const first = await sign(input);
    const second = await sign(first.pdf);

    expect(first.fieldName).toBe('OrgSignature1');
    expect(second.fieldName).toBe('OrgSignature2');
    expect(second.pdf.subarray(0, first.pdf.length).equals(first.pdf)).toBe(true);
    const checks = checkSignatures(second.pdf);
    const ours = checks.filter((c) => c.field.fieldName.startsWith('OrgSignature'));
    expect(ours.map((c) => [c.coverage.ok, c.cms.messageDigest, c.cms.signatureValue])).toEqual([
      [true, 'match', 'valid'],
      [true, 'match', 'valid'],
    ]);
    expect(ours.map((c) => c.coverage.coversWholeFile)).toEqual([false, true]);
  });

  it('countersigns a linearized file and an object-stream file that qpdf wrote', async () => {
    const source = path.join(corpus, 'pyhanko/pdf/minimal-two-pages.pdf');
    const linearized = path.join(work, 'linearized.pdf');
    const objstm = path.join(work, 'objstm.pdf');
    execFileSync('qpdf', ['--linearize', source, linearized]);
    execFileSync('qpdf', ['--object-streams=generate', source, objstm]);

    for (const file of [linearized, objstm]) {
      const input = readFileSync(file);
      const result = await sign(input);
      expect(result.pdf.subarray(0, input.length).equals(input)).toBe(true);
      const added = checkSignatures(result.pdf).find((s) => s.field.fieldName === result.fieldName);
      expect([added?.coverage.ok, added?.cms.messageDigest]).toEqual([true, 'match']);
    }
    expect(readFileSync(linearized).includes('/Linearized')).toBe(true);
  });

  it('signs with an ECDSA key as well', async () => {
    const ec = makeOrgIdentity('P-256');
    try {
      const result = await countersignPdf(corpusFile('pyhanko/pdf/minimal.pdf'), {
        signer: ec.signer,
        certificateChain: ec.chain,
      });
      const [check] = checkSignatures(result.pdf);
      expect(check?.cms.signatureAlgorithm).toMatch(/ecdsa/i);
      expect(check?.cms.signatureValue).toBe('valid');
    } finally {
      ec.pki.cleanup();
    }
  });

  it('adds the timestamp the callback returns over the signature value (B-T)', async () => {
    const tsa = org.pki.issueTsa();
    const stamped: Buffer[] = [];
    const timestamp = async (signatureValue: Buffer) => {
      stamped.push(signatureValue);
      return opensslTimestamp(signatureValue, tsa);
    };

    const result = await sign(corpusFile('pyhanko/pdf/minimal.pdf'), { timestamp });

    const signer = onlySigner(parseSignedData(result.cms));
    expect(stamped).toEqual([signer.signature]);
    expect(signer.unsignedAttrs?.signatureTimeStampTokens).toHaveLength(1);
    const [field] = findSignatures(openPdf(result.pdf));
    expect(field?.contents.length).toBe(estimateCmsSize(org.chain, true));
    expect(checkSignatures(result.pdf)[0]?.cms.signatureValue).toBe('valid');
  });

  it('refuses a signature larger than the room reserved for it', async () => {
    const huge = await buildPadesCms({
      contentDigest: Buffer.alloc(32),
      digestAlgorithm: 'sha256',
      signer: org.signer,
      certificateChain: org.chain,
    });
    const oversized = async () => {
      // A DER SEQUENCE of repeated CMS blobs: well-formed, far beyond the timestamp allowance.
      const body = Buffer.concat(Array.from({ length: 20 }, () => huge));
      const header = Buffer.from([
        0x30,
        0x83,
        (body.length >> 16) & 0xff,
        (body.length >> 8) & 0xff,
        body.length & 0xff,
      ]);
      return Buffer.concat([header, body]);
    };

    await expect(
      sign(corpusFile('pyhanko/pdf/minimal.pdf'), { timestamp: oversized }),
    ).rejects.toMatchObject({
      code: 'signature-too-large',
    });
  });

  it('reads only the catalog, the form and the first page: a broken second page does not matter', async () => {
    const pdf = writeRevision(
      Buffer.alloc(0),
      [
        [1, '<< /Type /Catalog /Pages 2 0 R >>'],
        [2, '<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>'],
        [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'],
        [4, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'],
      ],
      { trailer: '/Root 1 0 R' },
    );
    const broken = Buffer.from(pdf.toString('latin1').replace('4 0 obj', '4 0 xxx'), 'latin1');
    expect(() => openPdf(broken).getObject(4)).toThrow();

    const result = await sign(broken);

    const coverage = checkCoverage({
      fileLength: result.pdf.length,
      byteRange: result.byteRange,
      contentsSpan: { start: result.byteRange[1], end: result.byteRange[2] },
      revisionEnds: openPdf(result.pdf).revisions.map((r) => r.endOffset),
    });
    expect(coverage.ok).toBe(true);
  });

  it('finds the first page below a direct page-tree kid', async () => {
    const result = await sign(corpusFile('pyhanko/pdf/page-tree-direct-kid.pdf'));

    const added = checkSignatures(result.pdf).find((s) => s.field.fieldName === result.fieldName);
    expect([added?.coverage.ok, added?.cms.messageDigest]).toEqual([true, 'match']);
  });

  it.each([
    ['dss/encrypted.pdf', 'encrypted'],
    ['pyhanko/pdf/minimal-rc4.pdf', 'encrypted'],
    ['dss/dss-2554/certified-no-change-permitted.pdf', 'changes-not-permitted'],
    ['pyhanko/pdf/certified-with-indirect-refs-in-dir.pdf', 'changes-not-permitted'],
    ['pyhanko/pdf/minimal-startxref-hopeless2.pdf', 'unparseable'],
    ['pyhanko/pdf/minimal-startxref-hopeless3.pdf', 'unparseable'],
  ])('refuses %s with code %s', async (file, code) => {
    const error = await sign(corpusFile(file)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CountersignError);
    expect(error).toMatchObject({ code });
  });

  it('draws a visible stamp with the organization and the ISO 8601 time when asked', async () => {
    const result = await sign(corpusFile('pyhanko/pdf/minimal-two-pages.pdf'), {
      signingTime: new Date('2019-04-16T02:30:00Z'),
      stamp: { rect: [140, 84, 296, 140], organization: 'UBND tinh Quang Ngai' },
    });

    const doc = openPdf(result.pdf);
    const [page] = firstTwoPages(doc);
    const annots = doc.resolve(page?.dict.entries.get('Annots'));
    const widget = doc.resolve(isArray(annots) ? annots.items.at(-1) : undefined);
    expect(isDict(widget) && widget.entries.get('Rect')).toEqual({
      kind: 'array',
      items: [140, 84, 296, 140],
    });
    const ap = isDict(widget) ? doc.resolve(widget.entries.get('AP')) : undefined;
    const normal = isDict(ap) ? doc.resolve(ap.entries.get('N')) : undefined;
    expect(normal && typeof normal === 'object' && normal.kind).toBe('stream');
    if (normal && typeof normal === 'object' && normal.kind === 'stream') {
      expect(normal.dict.entries.get('BBox')).toEqual({ kind: 'array', items: [0, 0, 156, 56] });
      const content = doc.decodeStream(normal).toString('latin1');
      expect(content).toContain('(UBND tinh Quang Ngai) Tj');
      expect(content).toContain('(2019-04-16T09:30:00+07:00) Tj');
    }
    expect(checkSignatures(result.pdf)[0]?.cms.messageDigest).toBe('match');
  });

  it('refuses a document whose signed field locks it against any change (/Lock /P 1)', async () => {
    const locked = writeRevision(
      Buffer.alloc(0),
      [
        [1, '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>'],
        [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
        [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>'],
        [
          4,
          '<< /FT /Sig /T (Approval) /V 5 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /Lock << /Type /SigFieldLock /Action /All /P 1 >> >>',
        ],
        [5, '<< /Type /Sig /Filter /Adobe.PPKLite /ByteRange [0 1 2 3] /Contents <00> >>'],
      ],
      { trailer: '/Root 1 0 R' },
    );
    const unlocked = Buffer.from(locked.toString('latin1').replace('/P 1 >>', '/P 2 >>'), 'latin1');

    await expect(sign(locked)).rejects.toMatchObject({ code: 'changes-not-permitted' });
    await expect(sign(unlocked)).resolves.toMatchObject({ fieldName: 'OrgSignature1' });
  });

  it('refuses bytes that are not a PDF, and a document without pages', async () => {
    await expect(sign(Buffer.from('hello, not a pdf'))).rejects.toMatchObject({
      code: 'unparseable',
    });
    const empty = writeRevision(
      Buffer.alloc(0),
      [
        [1, '<< /Type /Catalog /Pages 2 0 R >>'],
        [2, '<< /Type /Pages /Kids [] /Count 0 >>'],
      ],
      { trailer: '/Root 1 0 R' },
    );
    await expect(sign(empty)).rejects.toMatchObject({ code: 'no-page' });
  });
});

describe('isoDateTime', () => {
  it('writes the local time with its +07:00 offset', () => {
    expect(isoDateTime(new Date('2019-12-31T20:05:09Z'), 420)).toBe('2020-01-01T03:05:09+07:00');
  });
});

function firstTwoPages(doc: ReturnType<typeof openPdf>) {
  const pages = doc.resolve(doc.catalog().entries.get('Pages'));
  const kids = isDict(pages) ? doc.resolve(pages.entries.get('Kids')) : undefined;
  return (isArray(kids) ? kids.items : []).slice(0, 2).map((kid) => {
    const d = doc.resolve(kid);
    return { ref: isRef(kid) ? kid : undefined, dict: (isDict(d) ? d : undefined) as PdfDict };
  });
}

function opensslTimestamp(data: Buffer, tsa: { certFile: string; keyFile: string }): Buffer {
  const dir = mkdtempSync(path.join(work, 'tsa-'));
  writeFileSync(path.join(dir, 'data.bin'), data);
  writeFileSync(
    path.join(dir, 'tsa.cnf'),
    `[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = ${path.join(dir, 'serial')}\ncrypto_device = builtin\nsigner_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.1\ndigests = sha256\ness_cert_id_alg = sha256\n`,
  );
  writeFileSync(path.join(dir, 'serial'), '01\n');
  const opts = { cwd: dir, stdio: 'pipe' } as const;
  execFileSync(
    'openssl',
    ['ts', '-query', '-data', 'data.bin', '-sha256', '-cert', '-out', 'q.tsq'],
    opts,
  );
  execFileSync(
    'openssl',
    [
      'ts',
      '-reply',
      '-config',
      'tsa.cnf',
      '-queryfile',
      'q.tsq',
      '-inkey',
      tsa.keyFile,
      '-signer',
      tsa.certFile,
      '-token_out',
      '-out',
      'token.der',
    ],
    opts,
  );
  return readFileSync(path.join(dir, 'token.der'));
}
