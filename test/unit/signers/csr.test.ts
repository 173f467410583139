import { spawnSync } from 'node:child_process';
import { constants, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { KmsSigner } from '#adapters/kms-signer.ts';
import type { Signer } from '#ports/signer.ts';
import { buildCsr, encodeName, InvalidSubjectError, toPem } from '#signature/csr.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { child, children, parseDer } from '#test/support/cms-inspect.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'edoc-csr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const organization = 'Sở Thông tin và Truyền thông';
const subject = `CN=Văn thư Sở TT&TT,O=${organization},L=Quảng Ngãi,C=VN`;

/**
 * Runs `openssl req` on a DER CSR and returns stdout and stderr together: OpenSSL 3.0 exits 0
 * even when `-verify` fails, and reports the outcome on stderr.
 */
function opensslReq(csr: Buffer, ...args: string[]): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.csr`);
  writeFileSync(file, csr);
  const result = spawnSync('openssl', ['req', '-in', file, '-inform', 'DER', '-noout', ...args]);
  return `${result.stdout.toString()}${result.stderr.toString()}`;
}

function pkcs8(kind: 'rsa' | 'ec'): string {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A KmsSigner whose KMS is a mock that signs with a real RSA key, as KMS would. */
function kmsSignerWithRealKey(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kms = mockClient(KMSClient);
  const digestInfoPrefix = Buffer.from('3031300d060960864801650304020105000420', 'hex');
  kms.on(GetPublicKeyCommand).resolves({
    PublicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
  });
  kms.on(SignCommand).callsFake(async (input: { Message?: Uint8Array }) => ({
    Signature: new Uint8Array(
      privateEncrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([digestInfoPrefix, Buffer.from(input.Message ?? [])]),
      ),
    ),
  }));
  return new KmsSigner(
    new KMSClient({ region: 'ap-southeast-1' }),
    'alias/org',
    'RSASSA_PKCS1_V1_5_SHA_256',
  );
}

describe('buildCsr', () => {
  it.each([
    ['an RSA FileSigner', () => new FileSigner(pkcs8('rsa'))],
    ['an RSA-PSS FileSigner', () => new FileSigner(pkcs8('rsa'), 'RSASSA_PSS_SHA_256')],
    ['an ECDSA FileSigner', () => new FileSigner(pkcs8('ec'))],
    ['a KmsSigner', kmsSignerWithRealKey],
  ])(
    'builds a CSR that openssl verifies, signed by %s, with the Vietnamese name intact',
    async (_name, makeSigner) => {
      const csr = await buildCsr({ subject, signer: makeSigner() });

      expect(opensslReq(csr, '-verify')).toContain('self-signature verify OK');
      const printed = opensslReq(csr, '-subject', '-nameopt', 'RFC2253,-esc_msb');
      expect(printed.trim()).toBe(`subject=${subject}`);
    },
  );

  it('encodes names as UTF8String and the country as PrintableString, root first', () => {
    const name = parseDer(encodeName(subject));

    const attributes = children(name).map((rdn) => child(rdn, 0));
    const tags = attributes.map((a) => child(a, 1).type);
    expect(tags).toEqual([0x13, 0x0c, 0x0c, 0x0c]);
    expect(Buffer.from(String(child(attributes[2], 1).value), 'binary').toString('utf8')).toBe(
      organization,
    );
  });

  it('understands escapes and multi-valued RDNs', async () => {
    const csr = await buildCsr({
      subject: 'CN=Nguyễn Văn A\\, Chánh văn phòng+UID=CMND:212345678,O=UBND tỉnh Quảng Ngãi,C=VN',
      signer: new FileSigner(pkcs8('ec')),
    });

    const printed = opensslReq(csr, '-subject', '-nameopt', 'RFC2253,-esc_msb');
    expect(printed).toContain('CN=Nguyễn Văn A\\, Chánh văn phòng');
    expect(printed).toContain('UID=CMND:212345678');
  });

  it('yields a CSR that openssl rejects once its signature is altered', async () => {
    const csr = await buildCsr({ subject, signer: new FileSigner(pkcs8('rsa')) });
    csr[csr.length - 5] = (csr[csr.length - 5] ?? 0) ^ 1;

    expect(opensslReq(csr, '-verify')).toContain('verify failure');
  });

  it.each([['C=Vietnam'], ['CN=a,,C=VN'], ['XYZ=1'], ['CN='], ['E=thư@example.vn']])(
    'refuses the subject %s',
    (bad) => {
      expect(() => encodeName(bad)).toThrow(InvalidSubjectError);
    },
  );

  it('armours DER as PEM that openssl reads', async () => {
    const csr = await buildCsr({ subject, signer: new FileSigner(pkcs8('rsa')) });
    const file = path.join(dir, 'armoured.pem');

    writeFileSync(file, toPem(csr));

    const result = spawnSync('openssl', ['req', '-in', file, '-verify', '-noout']);
    expect(result.stderr.toString()).toContain('self-signature verify OK');
  });
});
