import { execFile, execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPadesCms, estimateCmsSize } from '#signature/cms-builder.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { TsaClient, TsaUnavailableError } from '#signature/tsa-client.ts';
import {
  bytesOf,
  child,
  encode,
  isContext,
  oidOf,
  signerInfoOf,
} from '#test/support/cms-inspect.ts';
import { makeTestPki } from '#test/support/signing-pki.ts';

const run = promisify(execFile);
const pki = makeTestPki();
const tsa = pki.issueTsa();

const tsaConfig = `
[ tsa ]
default_tsa = tsa_ok
[ tsa_ok ]
serial = ${path.join(pki.dir, 'tsaserial')}
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_alg = sha256
[ tsa_sha512_only ]
serial = ${path.join(pki.dir, 'tsaserial')}
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha512
`;

/** A local RFC 3161 TSA: `openssl ts -reply` behind node:http. Paths pick the behaviour. */
function startTsa(): Promise<Server> {
  const configFile = path.join(pki.dir, 'tsa.cnf');
  writeFileSync(configFile, tsaConfig);
  writeFileSync(path.join(pki.dir, 'tsaserial'), '01\n');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.url === '/down') {
          res.writeHead(503).end();
          return;
        }
        const id = randomBytes(6).toString('hex');
        const queryFile = path.join(pki.dir, `${id}.tsq`);
        const replyFile = path.join(pki.dir, `${id}.tsr`);
        writeFileSync(queryFile, Buffer.concat(chunks));
        const section = req.url === '/sha512-only' ? 'tsa_sha512_only' : 'tsa_ok';
        await run('openssl', [
          'ts',
          '-reply',
          '-config',
          configFile,
          '-section',
          section,
          '-queryfile',
          queryFile,
          '-inkey',
          tsa.keyFile,
          '-signer',
          tsa.certFile,
          '-out',
          replyFile,
        ]);
        const reply = readFileSync(replyFile);
        if (req.url === '/replay') replayed ??= reply;
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
        res.end(req.url === '/replay' ? replayed : reply);
      })().catch(() => res.writeHead(500).end());
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server: Server;
let base: string;
/** What `/replay` answers forever after its first request. */
let replayed: Buffer | undefined;

beforeAll(async () => {
  server = await startTsa();
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  pki.cleanup();
});

function openSslVerifiesToken(token: Buffer, data: Buffer): boolean {
  const id = randomBytes(6).toString('hex');
  writeFileSync(path.join(pki.dir, `${id}.tst`), token);
  writeFileSync(path.join(pki.dir, `${id}.data`), data);
  try {
    execFileSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-token_in',
        '-in',
        `${id}.tst`,
        '-data',
        `${id}.data`,
        '-CAfile',
        tsa.certFile,
      ],
      { cwd: pki.dir, stdio: 'pipe' },
    );
    return true;
  } catch {
    return false;
  }
}

describe('TsaClient', () => {
  it('returns a token that openssl verifies over the data it was asked to stamp', async () => {
    const data = randomBytes(256);

    const token = await new TsaClient({ url: base }).timestamp(data);

    expect(openSslVerifiesToken(token, data)).toBe(true);
    expect(openSslVerifiesToken(token, Buffer.concat([data, Buffer.from([1])]))).toBe(false);
  });

  it('requests the configured policy', async () => {
    const token = await new TsaClient({ url: base, policyId: '1.3.6.1.4.1.99999.2' }).timestamp(
      Buffer.from('x'),
    );

    const tokenFile = path.join(pki.dir, 'policy.tst');
    writeFileSync(tokenFile, token);
    const printed = execFileSync(
      'openssl',
      ['ts', '-reply', '-token_in', '-in', tokenFile, '-token_out', '-text'],
      {
        stdio: 'pipe',
      },
    ).toString();
    expect(printed).toContain('Policy OID: 1.3.6.1.4.1.99999.2');
  });

  it('refuses a replayed response: same imprint, another nonce', async () => {
    replayed = undefined;
    const client = new TsaClient({ url: `${base}/replay` });
    await client.timestamp(Buffer.from('same data'));

    await expect(client.timestamp(Buffer.from('same data'))).rejects.toThrow(/nonce/);
  });

  it('refuses a token over another message imprint', async () => {
    replayed = undefined;
    const client = new TsaClient({ url: `${base}/replay` });
    await client.timestamp(Buffer.from('first'));

    await expect(client.timestamp(Buffer.from('second'))).rejects.toThrow(/message imprint/);
  });

  it('reports a TSA rejection with its status text', async () => {
    await expect(
      new TsaClient({ url: `${base}/sha512-only` }).timestamp(Buffer.from('x')),
    ).rejects.toThrow(/TSA refused the request: rejection/);
  });

  it('reports an unavailable TSA as retryable', async () => {
    await expect(
      new TsaClient({ url: `${base}/down` }).timestamp(Buffer.from('x')),
    ).rejects.toThrow(TsaUnavailableError);
    await expect(
      new TsaClient({ url: 'http://127.0.0.1:1', timeoutMs: 2000 }).timestamp(Buffer.from('x')),
    ).rejects.toThrow(TsaUnavailableError);
  });

  it('timestamps the signature value of a PAdES B-T CMS', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const chain = pki.issue(pem, '/C=VN/O=Sở Thông tin và Truyền thông/CN=Văn thư');
    const content = randomBytes(1024);
    const client = new TsaClient({ url: base });

    const cms = await buildPadesCms({
      contentDigest: createHash('sha256').update(content).digest(),
      digestAlgorithm: 'sha256',
      signer: new FileSigner(pem),
      certificateChain: chain,
      timestamp: (signature) => client.timestamp(signature),
    });

    expect(pki.verifiesCms(cms, content)).toBe(true);
    expect(cms.length).toBeLessThanOrEqual(estimateCmsSize(chain, true));
    const signerInfo = signerInfoOf(cms);
    const signatureValue = bytesOf(child(signerInfo, 5));
    const unsignedAttrs = child(signerInfo, 6);
    expect(isContext(unsignedAttrs, 1)).toBe(true);
    const attribute = child(unsignedAttrs, 0);
    expect(oidOf(child(attribute, 0))).toBe('1.2.840.113549.1.9.16.2.14');
    const token = encode(child(child(attribute, 1), 0));
    expect(openSslVerifiesToken(token, signatureValue)).toBe(true);
  });
});
