import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Throw-away test PKIs built with the openssl CLI in a temp dir. Two views of one workshop:
 * - `makeSignaturePki`: a fixed cast of certificates (signers of every key type and the odd ones
 *   the verifier tests need), a CRL and an RFC 3161 TSA, for verifying signatures;
 * - `makeTestPki`: a root and a sub CA that issue certificates for keys the caller brings, for
 *   the signing side (countersign, PKCS#11, cms-builder).
 */

/** A certificate of a test PKI: PEM files for openssl, DER for the code under test. */
export interface TestCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly der: Buffer;
}

type KeyKind = 'rsa' | 'ec' | 'ed25519';

interface IssueOptions {
  /** Extension section of `ext.cnf`. @default 'leaf' */
  readonly section?: string;
  /** @default 365 */
  readonly days?: number;
  /** @default 'sha256' */
  readonly md?: string;
  /** Full subject DN; overrides `cn`. */
  readonly subject?: string;
  /** CN under the default organization. @default the certificate's name */
  readonly cn?: string;
}

const extensions = `
[req]
distinguished_name = dn
utf8 = yes
[dn]
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ca0]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[encipher]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
[tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa-self]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
`;

/** A temp dir with `ext.cnf`, where certificates are issued with `openssl req -x509`. */
function makeWorkshop(prefix: string) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const run = (...args: string[]): Buffer =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(path.join(dir, 'ext.cnf'), extensions);
  let serial = 0x1000;

  const newKey = (name: string, kind: KeyKind): string => {
    const file = path.join(dir, `${name}.key`);
    const { privateKey } =
      kind === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : kind === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    return file;
  };

  /** Issues `name` under `issuer` (self-signed without), for a new key of `key` or an existing key file. */
  const issue = (
    name: string,
    issuer: TestCert | undefined,
    key: KeyKind | { readonly keyFile: string },
    options: IssueOptions = {},
  ): TestCert => {
    const keyFile = typeof key === 'string' ? newKey(name, key) : key.keyFile;
    const certFile = path.join(dir, `${name}.pem`);
    serial += 1;
    run(
      'req',
      '-x509',
      '-new',
      '-key',
      keyFile,
      '-config',
      'ext.cnf',
      '-extensions',
      options.section ?? 'leaf',
      '-subj',
      options.subject ?? `/C=VN/O=Sở TT&TT thử nghiệm/CN=${options.cn ?? name}`,
      '-set_serial',
      `0x${serial.toString(16)}`,
      '-days',
      String(options.days ?? 365),
      `-${options.md ?? 'sha256'}`,
      '-out',
      certFile,
      ...(issuer ? ['-CA', issuer.certFile, '-CAkey', issuer.keyFile] : []),
    );
    return { certFile, keyFile, der: pemToDer(readFileSync(certFile, 'latin1')) };
  };

  let counter = 0;
  /** A file name in the workshop not used before. */
  const fresh = (stem: string) => `${stem}-${++counter}`;

  return {
    dir,
    run,
    issue,
    fresh,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A throw-away CA hierarchy (RSA root and sub CA) for the signing side. */
export interface TestPki {
  readonly dir: string;
  /** PEM file of the self-signed root, for `-CAfile`. */
  readonly rootFile: string;
  /** Issues a certificate for `keyPem` (PKCS#8) under the sub CA; returns [leaf, sub CA] DER. */
  issue(keyPem: string, subject: string): Buffer[];
  /** Issues a self-signed certificate with EKU timeStamping (critical), for a local TSA. */
  issueTsa(): { certFile: string; keyFile: string };
  /** Whether `openssl cms -verify` accepts a detached CMS over `content` up to the root. */
  verifiesCms(cms: Buffer, content: Buffer): boolean;
  cleanup(): void;
}

const CRYPTO_AUTHORITY = '/C=VN/O=Ban Cơ yếu Chính phủ (thử nghiệm)';

export function makeTestPki(): TestPki {
  const shop = makeWorkshop('edoc-pki-');
  const root = shop.issue('root', undefined, 'rsa', {
    section: 'root',
    days: 3650,
    subject: `${CRYPTO_AUTHORITY}/CN=Test Root CA`,
  });
  const sub = shop.issue('sub', root, 'rsa', {
    section: 'ca',
    days: 3650,
    subject: `${CRYPTO_AUTHORITY}/CN=Test Sub CA`,
  });
  return {
    dir: shop.dir,
    rootFile: root.certFile,
    issue(keyPem, subject) {
      const name = shop.fresh('leaf');
      const keyFile = path.join(shop.dir, `${name}.key`);
      writeFileSync(keyFile, keyPem);
      return [shop.issue(name, sub, { keyFile }, { subject }).der, sub.der];
    },
    issueTsa() {
      const tsa = shop.issue('tsa', undefined, 'rsa', {
        section: 'tsa-self',
        subject: '/C=VN/O=Test TSA/CN=Test TSA',
      });
      return { certFile: tsa.certFile, keyFile: tsa.keyFile };
    },
    verifiesCms(cms, content) {
      const cmsFile = shop.fresh('cms');
      const contentFile = shop.fresh('content');
      writeFileSync(path.join(shop.dir, cmsFile), cms);
      writeFileSync(path.join(shop.dir, contentFile), content);
      try {
        shop.run(
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          cmsFile,
          '-content',
          contentFile,
          '-CAfile',
          root.certFile,
          '-purpose',
          'any',
          '-out',
          '/dev/null',
        );
        return true;
      } catch {
        return false;
      }
    },
    cleanup: shop.cleanup,
  };
}

export interface SignOptions {
  readonly signer: TestCert;
  readonly content: Buffer;
  readonly md?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  readonly pss?: boolean;
  readonly noAttributes?: boolean;
  readonly encapsulate?: boolean;
  readonly noCerts?: boolean;
  /** Adds the ESS signing-certificate-v2 attribute. */
  readonly cades?: boolean;
  readonly secondSigner?: TestCert;
}

/**
 * EC root and intermediate (pathlen 0), RSA / EC P-256 / Ed25519 signers, a TSA with EKU
 * timeStamping, and the odd certificates the verifier tests need (short-lived, revoked,
 * SHA-1-signed, a non-CA issuer, a CA below the pathlen limit, a loop of two cross-signed CAs).
 */
export interface SignaturePki {
  readonly dir: string;
  readonly root: TestCert;
  readonly intermediate: TestCert;
  readonly rsaSigner: TestCert;
  /** Same key as rsaSigner, another serial: an ESS attribute for one does not fit the other. */
  readonly rsaTwin: TestCert;
  readonly ecSigner: TestCert;
  readonly edSigner: TestCert;
  readonly shortLived: TestCert;
  readonly revoked: TestCert;
  readonly sha1Signed: TestCert;
  readonly encipherOnly: TestCert;
  readonly underLeaf: TestCert;
  readonly subCa: TestCert;
  readonly underSubCa: TestCert;
  readonly loopLeaf: TestCert;
  /** "Loop A" issued by "Loop B" issued by "Loop A"; the third is "Loop A" issued by the root. */
  readonly loopCas: readonly [TestCert, TestCert, TestCert];
  readonly tsa: TestCert;
  /** CRL of the intermediate listing `revoked` (keyCompromise), DER. */
  readonly crl: Buffer;
  readonly revokedAt: Date;
  sign(options: SignOptions): Buffer;
  /** An RFC 3161 token (DER ContentInfo) over the SHA-256 of `data`. */
  timestamp(data: Buffer): Buffer;
  cleanup(): void;
}

const caConfig = (dir: string) => `
[ca]
default_ca = inter
[inter]
database = ${dir}/index.txt
crlnumber = ${dir}/crlnumber
certificate = ${dir}/intermediate.pem
private_key = ${dir}/intermediate.key
default_md = sha256
default_crl_days = 30
`;

/** An `openssl ts -reply` config whose TSA `tsa1` signs with SHA-256 under policy 1.2.3.4.1. */
export const tsaConfig = (dir: string) => `
[tsa]
default_tsa = tsa1
[tsa1]
serial = ${dir}/tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

export function makeSignaturePki(): SignaturePki {
  const { dir, run, issue, fresh, cleanup } = makeWorkshop('edoc-sigtest-');

  const root = issue('root', undefined, 'ec', { section: 'root', days: 3650, cn: 'Test Root CA' });
  const intermediate = issue('intermediate', root, 'ec', {
    section: 'ca0',
    days: 3650,
    cn: 'Test Intermediate CA',
  });
  const rsaSigner = issue('rsa-signer', intermediate, 'rsa', { cn: 'Nguyễn Văn A' });
  const rsaTwin = issue('rsa-twin', intermediate, rsaSigner, { cn: 'Nguyễn Văn A' });
  const ecSigner = issue('ec-signer', intermediate, 'ec');
  const edSigner = issue('ed-signer', intermediate, 'ed25519');
  const shortLived = issue('short-lived', intermediate, ecSigner, { days: 1 });
  const revoked = issue('revoked', intermediate, ecSigner);
  const sha1Signed = issue('sha1-signed', intermediate, ecSigner, { md: 'sha1' });
  const encipherOnly = issue('encipher-only', intermediate, ecSigner, { section: 'encipher' });
  const underLeaf = issue('under-leaf', ecSigner, 'ec');
  const subCa = issue('sub-ca', intermediate, 'ec', { section: 'ca' });
  const underSubCa = issue('under-sub-ca', subCa, ecSigner);
  const tsa = issue('tsa', intermediate, 'ec', { section: 'tsa', cn: 'Test TSA' });

  // Two CAs that certify each other, and a leaf below them: a loop with no anchor.
  const loopA0 = issue('loop-a0', root, 'ec', { section: 'ca', cn: 'Loop A' });
  const loopB = issue('loop-b', loopA0, 'ec', { section: 'ca', cn: 'Loop B' });
  const loopA = issue('loop-a', loopB, loopA0, { section: 'ca', cn: 'Loop A' });
  const loopLeaf = issue('loop-leaf', loopA, ecSigner);

  writeFileSync(path.join(dir, 'index.txt'), '');
  writeFileSync(path.join(dir, 'crlnumber'), '01\n');
  writeFileSync(path.join(dir, 'ca.cnf'), caConfig(dir));
  run('ca', '-config', 'ca.cnf', '-revoke', revoked.certFile, '-crl_reason', 'keyCompromise');
  const revokedAt = new Date();
  run('ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem');

  writeFileSync(path.join(dir, 'tsa.cnf'), tsaConfig(dir));
  writeFileSync(path.join(dir, 'tsaserial'), '01\n');
  writeFileSync(
    path.join(dir, 'chain.pem'),
    Buffer.concat([readFileSync(intermediate.certFile), readFileSync(root.certFile)]),
  );

  return {
    dir,
    root,
    intermediate,
    rsaSigner,
    rsaTwin,
    ecSigner,
    edSigner,
    shortLived,
    revoked,
    sha1Signed,
    encipherOnly,
    underLeaf,
    subCa,
    underSubCa,
    loopLeaf,
    loopCas: [loopA, loopB, loopA0],
    tsa,
    crl: pemToDer(readFileSync(path.join(dir, 'crl.pem'), 'latin1')),
    revokedAt,
    sign(options) {
      const input = fresh('content');
      const output = fresh('cms');
      writeFileSync(path.join(dir, input), options.content);
      const args = ['cms', '-sign', '-binary', '-outform', 'DER', '-in', input, '-out', output];
      args.push('-signer', options.signer.certFile, '-inkey', options.signer.keyFile);
      if (options.pss) args.push('-keyopt', 'rsa_padding_mode:pss');
      if (options.secondSigner) {
        args.push('-signer', options.secondSigner.certFile, '-inkey', options.secondSigner.keyFile);
      }
      args.push('-md', options.md ?? 'sha256');
      args.push('-nosmimecap');
      if (options.noAttributes) args.push('-noattr');
      if (options.encapsulate) args.push('-nodetach');
      if (options.noCerts) args.push('-nocerts');
      if (options.cades) args.push('-cades');
      run(...args);
      return readFileSync(path.join(dir, output));
    },
    timestamp(data) {
      const input = fresh('tsdata');
      const query = fresh('tsq');
      const token = fresh('tst');
      writeFileSync(path.join(dir, input), data);
      run('ts', '-query', '-data', input, '-sha256', '-cert', '-out', query);
      run(
        'ts',
        '-reply',
        '-config',
        'tsa.cnf',
        '-queryfile',
        query,
        '-signer',
        tsa.certFile,
        '-inkey',
        tsa.keyFile,
        '-chain',
        'chain.pem',
        '-token_out',
        '-out',
        token,
      );
      return readFileSync(path.join(dir, token));
    },
    cleanup,
  };
}

/** A DER certificate as PEM. */
export function derToPem(der: Buffer): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/**
 * A TRUST_DIR as the handlers read it (`anchors/root.pem`, `intermediates/sub.pem`) holding the
 * root and intermediate of `pki`, inside its dir so `pki.cleanup()` removes it.
 */
export function makeTrustDir(pki: SignaturePki): string {
  const trust = path.join(pki.dir, 'trust');
  mkdirSync(path.join(trust, 'anchors'), { recursive: true });
  mkdirSync(path.join(trust, 'intermediates'), { recursive: true });
  writeFileSync(path.join(trust, 'anchors', 'root.pem'), derToPem(pki.root.der));
  writeFileSync(path.join(trust, 'intermediates', 'sub.pem'), derToPem(pki.intermediate.der));
  return trust;
}

function pemToDer(pem: string): Buffer {
  const body = /-----BEGIN [A-Z0-9 ]+-----([^-]+)-----END/.exec(pem)?.[1];
  if (body === undefined) throw new Error('no PEM block');
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

/** A copy with the byte at `offset` from the last `needle` XORed with `mask`. */
export function flipByteOf(haystack: Buffer, needle: Buffer, offset = 0, mask = 0xff): Buffer {
  const at = haystack.lastIndexOf(needle);
  if (at < 0) throw new Error('needle not found');
  const copy = Buffer.from(haystack);
  copy[at + offset] = (copy[at + offset] ?? 0) ^ mask;
  return copy;
}
