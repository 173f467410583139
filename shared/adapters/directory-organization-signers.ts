import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { DocumentStore } from '#ports/document-store.ts';
import type { SignatureAlgorithm, Signer } from '#ports/signer.ts';
import type { OrganizationSigners, OrganizationSigning } from '#shared/pipeline/ports.ts';
import type { AgencyDirectory } from '#shared/routing/directory.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { Pkcs11Signer } from '#signature/signers/pkcs11-signer.ts';
import { KmsSigner } from './kms-signer.ts';

/** The KMS signing algorithm that fits a certificate's key (SHA-256 for RSA and P-256). */
export function algorithmForCertificate(der: Buffer): SignatureAlgorithm {
  const key = new X509Certificate(der).publicKey;
  if (key.asymmetricKeyType === 'rsa') return 'RSASSA_PKCS1_V1_5_SHA_256';
  if (key.asymmetricKeyType === 'ec') {
    return key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'ECDSA_SHA_384' : 'ECDSA_SHA_256';
  }
  throw new Error(`no KMS signing algorithm for ${key.asymmetricKeyType ?? 'unknown'} keys`);
}

/** The HSM as the countersign function reaches it: the PKCS#11 module and the user PIN. */
export interface Pkcs11Access {
  /** `/opt/cloudhsm/lib/libcloudhsm_pkcs11.so` with CloudHSM, `libsofthsm2.so` locally. */
  readonly library: string;
  /** Read when the first PKCS#11 key is opened (CloudHSM: `crypto-user:password`). */
  readonly pin: { secret(): Promise<string> };
}

/**
 * Organization signers from the agency directory: the key reference says where the key lives
 * (KMS in AWS, an HSM through PKCS#11, a file in local development), the chain reference where
 * its certificates are. A PKCS#11 key without `pkcs11` access configured is refused with a clear
 * error, which parks the message in the DLQ; resolved signers are cached per instance.
 */
export class DirectoryOrganizationSigners implements OrganizationSigners {
  readonly #cache = new Map<string, OrganizationSigning>();
  readonly #directory: AgencyDirectory;
  readonly #kms: KMSClient | undefined;
  readonly #certificates: DocumentStore;
  readonly #pkcs11: Pkcs11Access | undefined;

  constructor(options: {
    directory: AgencyDirectory;
    kms?: KMSClient;
    /** Where `{ kind: 'object' }` certificate chains are kept. */
    certificates: DocumentStore;
    /** The HSM, for `{ kind: 'pkcs11' }` keys. @default none: such keys are refused */
    pkcs11?: Pkcs11Access;
  }) {
    this.#directory = options.directory;
    this.#kms = options.kms;
    this.#certificates = options.certificates;
    this.#pkcs11 = options.pkcs11;
  }

  async forAgency(agencyCode: string): Promise<OrganizationSigning | undefined> {
    const cached = this.#cache.get(agencyCode);
    if (cached) return cached;
    const signing = this.#directory.find(agencyCode)?.organizationSigning;
    if (signing === undefined) return undefined;
    const pem =
      signing.certificateChain.kind === 'object'
        ? await this.#certificates.get(signing.certificateChain.key)
        : await readFile(signing.certificateChain.path);
    const certificateChain = parsePemBundle(pem.toString('latin1'));
    const [leaf] = certificateChain;
    if (leaf === undefined) throw new Error(`the certificate chain of ${agencyCode} is empty`);
    let signer: Signer;
    const key = signing.key;
    if (key.kind === 'kms') {
      if (this.#kms === undefined) throw new Error('no KMS client for a KMS organization key');
      signer = new KmsSigner(this.#kms, key.keyId, algorithmForCertificate(leaf));
    } else if (key.kind === 'file') {
      signer = new FileSigner(await readFile(key.path));
    } else if (this.#pkcs11 !== undefined) {
      signer = Pkcs11Signer.open({
        library: this.#pkcs11.library,
        tokenLabel: key.tokenLabel,
        keyLabel: key.keyLabel,
        pin: await this.#pkcs11.pin.secret(),
        algorithm: algorithmForCertificate(leaf),
      });
    } else {
      throw new Error(
        `${agencyCode}'s key is in a PKCS#11 token, and this function has no PKCS#11 module configured (PKCS11_MODULE); deploy with -c hsm=cloudhsm, or sign with edoc countersign on a host with the HSM library`,
      );
    }
    const resolved = { signer, certificateChain };
    this.#cache.set(agencyCode, resolved);
    return resolved;
  }
}
