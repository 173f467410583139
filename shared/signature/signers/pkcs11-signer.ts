import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import type Pkcs11 from 'pkcs11js';
import type { SignatureAlgorithm, Signer } from '#ports/signer.ts';
import { SignerError, SignerUnavailableError } from '#ports/signer.ts';
import { bitString, oid, readDer, sequence, Tag } from '../der.ts';
import {
  checkDigest,
  digestInfo,
  ecdsaRawToDer,
  type HashName,
  hashLengths,
  hashOf,
  schemeOf,
} from './algorithms.ts';

type Handle = Buffer;
type Module = InstanceType<typeof Pkcs11.PKCS11>;

let addon: typeof Pkcs11 | undefined;

/**
 * pkcs11js, loaded when the first signer opens: a native add-on that bundlers cannot inline, so
 * a Lambda bundle requires it at run time (from the HSM client's layer) and only a function that
 * really opens a PKCS#11 key needs it; everyone else starts without it.
 */
function pkcs11(): typeof Pkcs11 {
  addon ??= createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11;
  return addon;
}

export interface Pkcs11SignerOptions {
  /** The PKCS#11 module: CloudHSM's `libcloudhsm_pkcs11.so` in AWS, `libsofthsm2.so` locally. */
  readonly library: string;
  /** Token label (CKA_LABEL of the token, trailing blanks ignored). */
  readonly tokenLabel: string;
  /** User PIN; for CloudHSM `crypto-user:password`. Used for C_Login, not kept. */
  readonly pin: string;
  /** CKA_LABEL of the private key. */
  readonly keyLabel: string;
  readonly algorithm: SignatureAlgorithm;
}

/**
 * One PKCS#11 module per library path per process, initialized once and finalized when the last
 * signer using it closes: C_Initialize twice fails, and C_Finalize would cut every other session.
 */
const modules = new Map<string, { module: Module; users: number }>();

function acquire(library: string): Module {
  const loaded = modules.get(library);
  if (loaded) {
    loaded.users += 1;
    return loaded.module;
  }
  const module = new (pkcs11().PKCS11)();
  try {
    module.load(library);
    module.C_Initialize();
  } catch (error) {
    if (
      !(error instanceof pkcs11().Pkcs11Error) ||
      error.code !== pkcs11().CKR_CRYPTOKI_ALREADY_INITIALIZED
    ) {
      throw new SignerError(`cannot initialize PKCS#11 module ${library}`, { cause: error });
    }
  }
  modules.set(library, { module, users: 1 });
  return module;
}

function release(library: string): void {
  const loaded = modules.get(library);
  if (!loaded) return;
  loaded.users -= 1;
  if (loaded.users > 0) return;
  modules.delete(library);
  try {
    loaded.module.C_Finalize();
  } finally {
    loaded.module.close();
  }
}

const unavailableCodes = (): Set<number> => {
  const p = pkcs11();
  return new Set([
    p.CKR_DEVICE_ERROR,
    p.CKR_DEVICE_REMOVED,
    p.CKR_DEVICE_MEMORY,
    p.CKR_SESSION_CLOSED,
    p.CKR_SESSION_HANDLE_INVALID,
    p.CKR_TOKEN_NOT_PRESENT,
  ]);
};

function mapError(operation: string, error: unknown): SignerError {
  if (error instanceof SignerError) return error;
  const code = error instanceof pkcs11().Pkcs11Error ? error.code : undefined;
  const reason = error instanceof Error ? error.message : 'unknown error';
  if (code !== undefined && unavailableCodes().has(code)) {
    return new SignerUnavailableError(`PKCS#11 ${operation}: ${reason}`, { cause: error });
  }
  return new SignerError(`PKCS#11 ${operation}: ${reason}`, { cause: error });
}

/**
 * Signer on a private key held in an HSM through PKCS#11 (CloudHSM in AWS, since KMS custom key
 * stores cannot hold asymmetric keys; SoftHSM2 in tests). One logged-in session per signer;
 * signatures run one at a time on it, off the event loop. Call `close()` when done.
 */
export class Pkcs11Signer implements Signer {
  readonly algorithm: SignatureAlgorithm;
  readonly #library: string;
  readonly #module: Module;
  readonly #session: Handle;
  readonly #key: Handle;
  readonly #publicKey: Buffer;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    options: Pkcs11SignerOptions,
    module: Module,
    session: Handle,
    key: Handle,
    publicKey: Buffer,
  ) {
    this.algorithm = options.algorithm;
    this.#library = options.library;
    this.#module = module;
    this.#session = session;
    this.#key = key;
    this.#publicKey = publicKey;
  }

  /** Loads the module, finds the token by label, logs in and finds the key by label. */
  static open(options: Pkcs11SignerOptions): Pkcs11Signer {
    const module = acquire(options.library);
    let session: Handle | undefined;
    try {
      const slot = findSlot(module, options.tokenLabel);
      session = module.C_OpenSession(slot, pkcs11().CKF_SERIAL_SESSION);
      try {
        module.C_Login(session, pkcs11().CKU_USER, options.pin);
      } catch (error) {
        const code = error instanceof pkcs11().Pkcs11Error ? error.code : undefined;
        if (code !== pkcs11().CKR_USER_ALREADY_LOGGED_IN) throw mapError('C_Login', error);
      }
      const key = findOne(module, session, [
        { type: pkcs11().CKA_CLASS, value: pkcs11().CKO_PRIVATE_KEY },
        { type: pkcs11().CKA_LABEL, value: options.keyLabel },
      ]);
      if (key === undefined) {
        throw new SignerError(`no private key labelled "${options.keyLabel}" on the token`);
      }
      const publicKey = readPublicKey(module, session, key, options.algorithm);
      return new Pkcs11Signer(options, module, session, key, publicKey);
    } catch (error) {
      try {
        if (session !== undefined) module.C_CloseSession(session);
      } finally {
        release(options.library);
      }
      throw mapError('open', error);
    }
  }

  sign(digest: Buffer): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new SignerError('PKCS#11 signer is closed'));
    const run = this.#queue.then(() => this.#sign(digest));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async publicKey(): Promise<Buffer> {
    return this.#publicKey;
  }

  /**
   * Refuses new signatures, lets those already asked for finish, then closes the session (which
   * logs out when it is the token's last) and releases the module.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    try {
      this.#module.C_CloseSession(this.#session);
    } finally {
      release(this.#library);
    }
  }

  async #sign(digest: Buffer): Promise<Buffer> {
    checkDigest(this.algorithm, digest);
    const hash = hashOf(this.algorithm);
    const scheme = schemeOf(this.algorithm);
    const mechanism: Pkcs11.Mechanism =
      scheme === 'pkcs1'
        ? { mechanism: pkcs11().CKM_RSA_PKCS }
        : scheme === 'ecdsa'
          ? { mechanism: pkcs11().CKM_ECDSA }
          : { mechanism: pkcs11().CKM_RSA_PKCS_PSS, parameter: pssParameters(hash) };
    const input = scheme === 'pkcs1' ? digestInfo(hash, digest) : digest;
    try {
      this.#module.C_SignInit(this.#session, mechanism, this.#key);
      const signature = await new Promise<Buffer>((resolve, reject) => {
        this.#module.C_Sign(this.#session, input, Buffer.alloc(1024), (error, data) =>
          error ? reject(error) : resolve(data),
        );
      });
      return scheme === 'ecdsa' ? ecdsaRawToDer(signature) : Buffer.from(signature);
    } catch (error) {
      throw mapError('C_Sign', error);
    }
  }
}

function pssParameters(hash: HashName): Pkcs11.RsaPSS {
  return {
    type: pkcs11().CK_PARAMS_RSA_PSS,
    ...pssHash(hash),
    saltLen: hashLengths[hash],
  };
}

const pssHash = (hash: HashName): { hashAlg: number; mgf: number } => {
  const p = pkcs11();
  return {
    sha256: { hashAlg: p.CKM_SHA256, mgf: p.CKG_MGF1_SHA256 },
    sha384: { hashAlg: p.CKM_SHA384, mgf: p.CKG_MGF1_SHA384 },
    sha512: { hashAlg: p.CKM_SHA512, mgf: p.CKG_MGF1_SHA512 },
  }[hash];
};

function findSlot(module: Module, tokenLabel: string): Handle {
  for (const slot of module.C_GetSlotList(true)) {
    if (module.C_GetTokenInfo(slot).label.trimEnd() === tokenLabel) return slot;
  }
  throw new SignerError(`no PKCS#11 token labelled "${tokenLabel}"`);
}

function findOne(module: Module, session: Handle, template: Pkcs11.Template): Handle | undefined {
  module.C_FindObjectsInit(session, template);
  try {
    const found = module.C_FindObjects(session, 2);
    if (found.length > 1)
      throw new SignerError('more than one key object matches; labels must be unique');
    return found[0];
  } finally {
    module.C_FindObjectsFinal(session);
  }
}

function attribute(module: Module, session: Handle, object: Handle, type: number): Buffer {
  const [result] = module.C_GetAttributeValue(session, object, [{ type }]);
  if (result === undefined)
    throw new SignerError(`PKCS#11 attribute 0x${type.toString(16)} missing`);
  return result.value;
}

const idEcPublicKey = '1.2.840.10045.2.1';

/**
 * SPKI of the key pair: RSA from the private key's modulus and exponent; EC from the public key
 * object sharing the private key's CKA_ID (the private object carries no EC point).
 */
function readPublicKey(
  module: Module,
  session: Handle,
  privateKey: Handle,
  algorithm: SignatureAlgorithm,
): Buffer {
  const keyType = attribute(module, session, privateKey, pkcs11().CKA_KEY_TYPE).readUIntLE(0, 4);
  const wantsEc = schemeOf(algorithm) === 'ecdsa';
  if (keyType !== (wantsEc ? pkcs11().CKK_EC : pkcs11().CKK_RSA)) {
    throw new SignerError(`the key's type does not fit ${algorithm}`);
  }
  if (!wantsEc) {
    const n = attribute(module, session, privateKey, pkcs11().CKA_MODULUS);
    const e = attribute(module, session, privateKey, pkcs11().CKA_PUBLIC_EXPONENT);
    return createPublicKey({
      key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') },
      format: 'jwk',
    }).export({ type: 'spki', format: 'der' });
  }
  const id = attribute(module, session, privateKey, pkcs11().CKA_ID);
  const publicObject = findOne(module, session, [
    { type: pkcs11().CKA_CLASS, value: pkcs11().CKO_PUBLIC_KEY },
    { type: pkcs11().CKA_ID, value: id },
  ]);
  if (publicObject === undefined) {
    throw new SignerError('no EC public key object with the private key CKA_ID');
  }
  const params = attribute(module, session, publicObject, pkcs11().CKA_EC_PARAMS);
  const point = unwrapEcPoint(attribute(module, session, publicObject, pkcs11().CKA_EC_POINT));
  const spki = sequence(sequence(oid(idEcPublicKey), readDer(params).raw), bitString(point));
  return createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({
    type: 'spki',
    format: 'der',
  });
}

/** CKA_EC_POINT is a DER OCTET STRING per the standard; some modules return the bare point. */
function unwrapEcPoint(value: Buffer): Buffer {
  if (value[0] === Tag.octetString) {
    try {
      const node = readDer(value);
      if (node.raw.length === value.length && node.content.length % 2 === 1) return node.content;
    } catch {
      // not DER: a bare point that happens to start with 0x04
    }
  }
  return value;
}
