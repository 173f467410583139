import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A throw-away CA hierarchy built with the openssl CLI, for signing tests. */
export interface TestPki {
  readonly dir: string;
  /** PEM file of the self-signed root, for `-CAfile`. */
  readonly rootFile: string;
  /** Issues a certificate for `keyPem` (PKCS#8) under the intermediate; returns [leaf, intermediate] DER. */
  issue(keyPem: string, subject: string): Buffer[];
  /** Issues a self-signed certificate with EKU timeStamping (critical), for a local TSA. */
  issueTsa(): { certFile: string; keyFile: string };
  /** Whether `openssl cms -verify` accepts a detached CMS over `content` up to the root. */
  verifiesCms(cms: Buffer, content: Buffer): boolean;
  cleanup(): void;
}

const extensions = `
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
[tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
`;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'edoc-pki-'));
  writeFileSync(path.join(dir, 'ext.cnf'), extensions);
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'root.key',
      '-out',
      'root.pem',
      '-days',
      '3650',
      '-utf8',
      '-subj',
      '/C=VN/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=Test Root CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'sub.key',
      '-out',
      'sub.csr',
      '-utf8',
      '-subj',
      '/C=VN/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=Test Sub CA',
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'sub.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-set_serial',
      '2',
      '-days',
      '3650',
      '-extfile',
      'ext.cnf',
      '-extensions',
      'ca',
      '-out',
      'sub.pem',
    ],
    dir,
  );
  let serial = 1000;
  const der = (file: string): Buffer => {
    openssl(['x509', '-in', file, '-outform', 'DER', '-out', `${file}.der`], dir);
    return readFileSync(path.join(dir, `${file}.der`));
  };
  return {
    dir,
    rootFile: path.join(dir, 'root.pem'),
    issue(keyPem, subject) {
      serial += 1;
      writeFileSync(path.join(dir, `leaf-${serial}.key`), keyPem);
      openssl(
        [
          'req',
          '-new',
          '-key',
          `leaf-${serial}.key`,
          '-utf8',
          '-subj',
          subject,
          '-out',
          `leaf-${serial}.csr`,
        ],
        dir,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `leaf-${serial}.csr`,
          '-CA',
          'sub.pem',
          '-CAkey',
          'sub.key',
          '-set_serial',
          String(serial * 7919),
          '-days',
          '365',
          '-extfile',
          'ext.cnf',
          '-extensions',
          'leaf',
          '-out',
          `leaf-${serial}.pem`,
        ],
        dir,
      );
      return [der(`leaf-${serial}.pem`), der('sub.pem')];
    },
    issueTsa() {
      openssl(
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          'tsa.key',
          '-out',
          'tsa.pem',
          '-days',
          '365',
          '-subj',
          '/C=VN/O=Test TSA/CN=Test TSA',
          '-extensions',
          'tsa',
          '-config',
          'ext.cnf',
        ],
        dir,
      );
      return { certFile: path.join(dir, 'tsa.pem'), keyFile: path.join(dir, 'tsa.key') };
    },
    verifiesCms(cms, content) {
      serial += 1;
      writeFileSync(path.join(dir, `cms-${serial}.p7s`), cms);
      writeFileSync(path.join(dir, `cms-${serial}.bin`), content);
      try {
        openssl(
          [
            'cms',
            '-verify',
            '-binary',
            '-inform',
            'DER',
            '-in',
            `cms-${serial}.p7s`,
            '-content',
            `cms-${serial}.bin`,
            '-CAfile',
            'root.pem',
            '-purpose',
            'any',
            '-out',
            '/dev/null',
          ],
          dir,
        );
        return true;
      } catch {
        return false;
      }
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
