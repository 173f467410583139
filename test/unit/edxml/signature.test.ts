import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildEdxmlDocument,
  buildSignedEdxmlDocument,
  type EdxmlDocument,
  parseEdxmlDocument,
} from '#shared/edxml/envelope.ts';
import { EdxmlIntegrityError } from '#shared/edxml/errors.ts';
import { EdxmlSignatureError } from '#shared/edxml/signature.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
});
const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
});

function makeDocument(): EdxmlDocument {
  return {
    MessageHeader: {
      From: { OrganId: '000.00.00.H48', OrganName: 'Ủy ban nhân dân tỉnh Quảng Ngãi' },
      To: [{ OrganId: '000.00.00.G22', OrganName: 'Văn phòng Chính phủ' }],
      DocumentId: '000.00.00.H48,2019/04/16,1808/UBND-KGVX',
      Code: { CodeNumber: '1808', CodeNotation: 'UBND-KGVX' },
      PromulgationInfo: { Place: 'Quảng Ngãi', PromulgationDate: '2019/04/16' },
      DocumentType: { Type: '1', TypeName: 'Công văn' },
      Subject: 'Triển khai gửi, nhận văn bản điện tử',
      SignerInfo: { FullName: 'Nguyễn Văn A' },
    },
    TraceHeaderList: {
      TraceHeader: [{ OrganId: '000.00.00.H48', Timestamp: '2019/04/16 08:30:00' }],
    },
    attachments: [
      {
        ContentId: 'cid-1',
        ContentType: 'application/pdf',
        AttachmentName: 'van-ban.pdf',
        content: Buffer.from('%PDF-1.7 original'),
      },
    ],
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('edXML envelope signature', () => {
  it.each([
    ['RSA', rsaPem],
    ['ECDSA P-256', ecPem],
  ])('verifies an envelope signed with an %s organization key', async (_name, pem) => {
    const signer = new FileSigner(pem);

    const parsed = parseEdxmlDocument(await buildSignedEdxmlDocument(makeDocument(), signer));

    expect(parsed.signature).toEqual({
      algorithm: signer.algorithm,
      publicKey: await signer.publicKey(),
    });
    expect(parsed.MessageHeader).toEqual(makeDocument().MessageHeader);
  });

  it('reports no signature on an unsigned package', () => {
    expect(parseEdxmlDocument(buildEdxmlDocument(makeDocument())).signature).toBeUndefined();
  });

  it('refuses a signed envelope whose header was changed', async () => {
    const xml = (await buildSignedEdxmlDocument(makeDocument(), new FileSigner(rsaPem)))
      .toString('utf8')
      .replace('Triển khai gửi', 'Hủy bỏ việc gửi');

    expect(() => parseEdxmlDocument(xml)).toThrow(EdxmlSignatureError);
  });

  it('covers the attachments through the manifest digests', async () => {
    const xml = (await buildSignedEdxmlDocument(makeDocument(), new FileSigner(ecPem))).toString(
      'utf8',
    );
    const swapped = xml.replace(b64('%PDF-1.7 original'), b64('%PDF-1.7 replaced'));
    const swappedWithManifest = swapped.replace(
      sha256('%PDF-1.7 original'),
      sha256('%PDF-1.7 replaced'),
    );

    expect(() => parseEdxmlDocument(swapped)).toThrow(EdxmlIntegrityError);
    expect(() => parseEdxmlDocument(swappedWithManifest)).toThrow(EdxmlSignatureError);
  });
});
