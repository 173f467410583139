import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  privateEncrypt,
  randomBytes,
} from 'node:crypto';
import type { SignatureAlgorithm, Signer } from '#ports/signer.ts';
import { SignerError } from '#ports/signer.ts';
import { integer, sequence } from '../der.ts';
import {
  checkDigest,
  digestInfo,
  type HashName,
  hashLengths,
  hashOf,
  schemeOf,
} from './algorithms.ts';

interface Curve {
  readonly p: bigint;
  readonly n: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
  readonly bits: number;
}

const curves: Record<string, Curve> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    bits: 256,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    bits: 384,
  },
};

/**
 * A signing key read from a PKCS#8 PEM file. For local development and tests only: the key sits in
 * process memory, and ECDSA is computed with BigInt arithmetic that is not constant-time, because
 * node:crypto offers no way to sign an already-computed digest with an EC key (it always hashes
 * its input). RSA goes through OpenSSL (`privateEncrypt`) with the padding built here.
 */
export class FileSigner implements Signer {
  readonly algorithm: SignatureAlgorithm;
  readonly #key: KeyObject;

  /**
   * @param pem PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`), RSA or EC P-256/P-384.
   * @param algorithm defaults to PKCS#1 v1.5 SHA-256 for RSA and ECDSA with the curve's hash.
   */
  constructor(pem: string | Buffer, algorithm?: SignatureAlgorithm) {
    try {
      this.#key = createPrivateKey({ key: pem, format: 'pem' });
    } catch (error) {
      throw new SignerError('cannot read the private key PEM', { cause: error });
    }
    const type = this.#key.asymmetricKeyType;
    const curve = this.#key.asymmetricKeyDetails?.namedCurve;
    if (type === 'rsa') {
      this.algorithm = algorithm ?? 'RSASSA_PKCS1_V1_5_SHA_256';
      if (schemeOf(this.algorithm) === 'ecdsa') {
        throw new SignerError(`${this.algorithm} needs an EC key, got RSA`);
      }
    } else if (type === 'ec' && (curve === 'prime256v1' || curve === 'secp384r1')) {
      this.algorithm = algorithm ?? (curve === 'prime256v1' ? 'ECDSA_SHA_256' : 'ECDSA_SHA_384');
      if (schemeOf(this.algorithm) !== 'ecdsa') {
        throw new SignerError(`${this.algorithm} needs an RSA key, got EC`);
      }
    } else {
      throw new SignerError(`unsupported key type ${type ?? 'unknown'} ${curve ?? ''}`.trim());
    }
  }

  async sign(digest: Buffer): Promise<Buffer> {
    checkDigest(this.algorithm, digest);
    const hash = hashOf(this.algorithm);
    switch (schemeOf(this.algorithm)) {
      case 'pkcs1':
        return privateEncrypt(
          { key: this.#key, padding: constants.RSA_PKCS1_PADDING },
          digestInfo(hash, digest),
        );
      case 'pss':
        return this.#signPss(hash, digest);
      case 'ecdsa':
        return this.#signEcdsa(digest);
    }
  }

  async publicKey(): Promise<Buffer> {
    return createPublicKey(this.#key).export({ type: 'spki', format: 'der' });
  }

  /** RSASSA-PSS (RFC 8017 §8.1.1): EMSA-PSS encoding, then the raw RSA private-key operation. */
  #signPss(hash: HashName, digest: Buffer): Buffer {
    const modulusBits = this.#key.asymmetricKeyDetails?.modulusLength;
    if (modulusBits === undefined) throw new SignerError('RSA key without modulus length');
    const k = Math.ceil(modulusBits / 8);
    const encoded = emsaPssEncode(hash, digest, modulusBits - 1);
    const block = Buffer.concat([Buffer.alloc(k - encoded.length), encoded]);
    return privateEncrypt({ key: this.#key, padding: constants.RSA_NO_PADDING }, block);
  }

  #signEcdsa(digest: Buffer): Buffer {
    const jwk = this.#key.export({ format: 'jwk' });
    const curve = jwk.crv === undefined ? undefined : curves[jwk.crv];
    if (curve === undefined || jwk.d === undefined) throw new SignerError('unsupported EC key');
    const d = bytesToBigInt(Buffer.from(jwk.d, 'base64url'));
    const { n } = curve;
    const e = bitsToInt(digest, curve.bits);
    for (;;) {
      const k = (bytesToBigInt(randomBytes(curve.bits / 8 + 16)) % (n - 1n)) + 1n;
      const point = multiply(curve, k);
      if (point === undefined) continue;
      const r = point.x % n;
      if (r === 0n) continue;
      const s = (modPow(k, n - 2n, n) * ((e + r * d) % n)) % n;
      if (s === 0n) continue;
      return sequence(integer(r), integer(s));
    }
  }
}

function emsaPssEncode(hash: HashName, digest: Buffer, emBits: number): Buffer {
  const hLen = hashLengths[hash];
  const sLen = hLen;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + sLen + 2) throw new SignerError('RSA key too small for PSS with this hash');
  const salt = randomBytes(sLen);
  const h = createHash(hash)
    .update(Buffer.concat([Buffer.alloc(8), digest, salt]))
    .digest();
  const db = Buffer.concat([Buffer.alloc(emLen - sLen - hLen - 2), Buffer.from([1]), salt]);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

function mgf1(hash: HashName, seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * hashLengths[hash] < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function bytesToBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

/** The leftmost `bits` bits of a digest as an integer (SEC 1 §4.1.3 step 5). */
function bitsToInt(digest: Buffer, bits: number): bigint {
  const value = bytesToBigInt(digest);
  const excess = digest.length * 8 - bits;
  return excess > 0 ? value >> BigInt(excess) : value;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

interface Jacobian {
  readonly x: bigint;
  readonly y: bigint;
  readonly z: bigint;
}

function mod(a: bigint, p: bigint): bigint {
  const r = a % p;
  return r < 0n ? r + p : r;
}

/** Point doubling for a = -3 curves (all NIST prime curves). */
function double(p: bigint, q: Jacobian): Jacobian {
  if (q.z === 0n || q.y === 0n) return { x: 1n, y: 1n, z: 0n };
  const zz = mod(q.z * q.z, p);
  const m = mod(3n * (q.x - zz) * (q.x + zz), p);
  const yy = mod(q.y * q.y, p);
  const s = mod(4n * q.x * yy, p);
  const x = mod(m * m - 2n * s, p);
  const y = mod(m * (s - x) - 8n * yy * yy, p);
  const z = mod(2n * q.y * q.z, p);
  return { x, y, z };
}

function add(p: bigint, a: Jacobian, b: Jacobian): Jacobian {
  if (a.z === 0n) return b;
  if (b.z === 0n) return a;
  const z1z1 = mod(a.z * a.z, p);
  const z2z2 = mod(b.z * b.z, p);
  const u1 = mod(a.x * z2z2, p);
  const u2 = mod(b.x * z1z1, p);
  const s1 = mod(a.y * b.z * z2z2, p);
  const s2 = mod(b.y * a.z * z1z1, p);
  if (u1 === u2) return s1 === s2 ? double(p, a) : { x: 1n, y: 1n, z: 0n };
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = mod(h * h, p);
  const hhh = mod(h * hh, p);
  const v = mod(u1 * hh, p);
  const x = mod(r * r - hhh - 2n * v, p);
  const y = mod(r * (v - x) - s1 * hhh, p);
  const z = mod(a.z * b.z * h, p);
  return { x, y, z };
}

/** k·G in affine coordinates, or undefined for the point at infinity. */
function multiply(curve: Curve, k: bigint): { x: bigint; y: bigint } | undefined {
  const { p } = curve;
  let result: Jacobian = { x: 1n, y: 1n, z: 0n };
  let addend: Jacobian = { x: curve.gx, y: curve.gy, z: 1n };
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = add(p, result, addend);
    addend = double(p, addend);
  }
  if (result.z === 0n) return undefined;
  const zInv = modPow(result.z, p - 2n, p);
  const zInv2 = mod(zInv * zInv, p);
  return { x: mod(result.x * zInv2, p), y: mod(result.y * zInv2 * zInv, p) };
}
