import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CmsFormatError, Oids, onlySigner, parseSignedData } from '#signature/cms.ts';
import { makeSignaturePki, type SignaturePki } from './test-pki.ts';

let pki: SignaturePki;
beforeAll(() => {
  pki = makeSignaturePki();
});
afterAll(() => pki.cleanup());

const content = Buffer.from('%PDF-1.7 công văn 1808/UBND-KGVX');

describe('parseSignedData', () => {
  it('reads a detached SignedData with signed attributes', () => {
    const sd = parseSignedData(pki.sign({ signer: pki.rsaSigner, content }));
    const signer = onlySigner(sd);

    expect(sd.encapContentInfo).toEqual({ eContentType: Oids.data, hasEContent: false });
    expect(sd.certificates).toContainEqual(pki.rsaSigner.der);
    expect(signer.digestAlgorithmOid).toBe(Oids.sha256);
    expect(signer.sid.type).toBe('issuerAndSerial');
    expect(signer.signedAttrs?.contentType).toBe(Oids.data);
    expect(signer.signedAttrs?.messageDigest).toEqual(
      createHash('sha256').update(content).digest(),
    );
    expect(signer.signedAttrs?.signingTime).toBeInstanceOf(Date);
  });

  it('re-tags the signed attributes as a SET for verification', () => {
    const signer = onlySigner(parseSignedData(pki.sign({ signer: pki.ecSigner, content })));
    expect(signer.signedAttrs?.der[0]).toBe(0x31);
  });

  it('keeps encapsulated content', () => {
    const sd = parseSignedData(pki.sign({ signer: pki.ecSigner, content, encapsulate: true }));
    expect(sd.encapContentInfo.hasEContent).toBe(true);
    expect(sd.encapContentInfo.eContent).toEqual(content);
  });

  it('reads RSA-PSS parameters', () => {
    const signer = onlySigner(
      parseSignedData(pki.sign({ signer: pki.rsaSigner, content, pss: true })),
    );
    expect(signer.signatureAlgorithm.oid).toBe(Oids.rsassaPss);
    expect(signer.signatureAlgorithm.pss).toEqual({
      hashOid: Oids.sha256,
      mgf1HashOid: Oids.sha256,
      saltLength: 256 - 32 - 2, // OpenSSL's default: the largest salt a 2048-bit key allows
      trailerField: 1,
    });
  });

  it('reads the ESS signing-certificate-v2 attribute', () => {
    const signer = onlySigner(
      parseSignedData(pki.sign({ signer: pki.rsaSigner, content, cades: true })),
    );
    const [id] = signer.signedAttrs?.signingCertificateV2?.certs ?? [];
    expect(id?.hashAlgorithmOid).toBe(Oids.sha256);
    expect(id?.certHash).toEqual(createHash('sha256').update(pki.rsaSigner.der).digest());
  });

  it('has no signed attributes with -noattr', () => {
    const signer = onlySigner(
      parseSignedData(pki.sign({ signer: pki.rsaSigner, content, noAttributes: true })),
    );
    expect(signer.signedAttrs).toBeUndefined();
  });

  it('tolerates the zero padding of a PDF /Contents', () => {
    const cms = pki.sign({ signer: pki.ecSigner, content });
    const padded = Buffer.concat([cms, Buffer.alloc(8192)]);
    expect(parseSignedData(padded).signerInfos).toHaveLength(1);
  });

  it('reads the CRLs carried in the SignedData', () => {
    const sd = parseSignedData(pki.sign({ signer: pki.ecSigner, content }));
    expect(sd.crls).toEqual([]);
  });
});

describe('onlySigner', () => {
  it('refuses a SignedData with two SignerInfos', () => {
    const sd = parseSignedData(
      pki.sign({ signer: pki.rsaSigner, secondSigner: pki.ecSigner, content }),
    );
    expect(sd.signerInfos).toHaveLength(2);
    expect(() => onlySigner(sd)).toThrow(/2 SignerInfos/);
  });
});

describe('malformed CMS', () => {
  it.each([
    ['empty input', Buffer.alloc(0)],
    ['random bytes', Buffer.from('not a cms at all, just text')],
    ['a lone SEQUENCE header', Buffer.from([0x30, 0x82, 0xff, 0xff])],
    ['all zeros', Buffer.alloc(64)],
  ])('raises CmsFormatError for %s', (_name, bytes) => {
    expect(() => parseSignedData(bytes)).toThrow(CmsFormatError);
  });

  it('raises CmsFormatError for a truncated CMS, keeping the cause', () => {
    const cms = pki.sign({ signer: pki.ecSigner, content });
    let error: unknown;
    try {
      parseSignedData(cms.subarray(0, cms.length - 20));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CmsFormatError);
    expect((error as CmsFormatError).cause).toBeDefined();
  });

  it('refuses a ContentInfo that is not SignedData', () => {
    const cms = Buffer.from(pki.sign({ signer: pki.ecSigner, content }));
    const signedDataOid = Buffer.from('06092a864886f70d010702', 'hex');
    const at = cms.indexOf(signedDataOid);
    cms[at + signedDataOid.length - 1] = 0x03; // envelopedData
    expect(() => parseSignedData(cms)).toThrow(/not SignedData/);
  });

  it('refuses garbage after the CMS unless the caller accepts it', () => {
    const cms = pki.sign({ signer: pki.ecSigner, content });
    const withTrailer = Buffer.concat([cms, Buffer.from('trailer')]);
    expect(() => parseSignedData(withTrailer)).toThrow(CmsFormatError);
    expect(parseSignedData(withTrailer, { allowTrailingBytes: true }).signerInfos).toHaveLength(1);
  });
});
