import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { DocumentStore } from '#ports/document-store.ts';
import type { SignatureAlgorithm, Signer } from '#ports/signer.ts';
import type { OrganizationSigners, OrganizationSigning } from '#shared/pipeline/ports.ts';
import type { AgencyDirectory } from '#shared/routing/directory.ts';
import { parsePemBundle } from '#signature/certificates.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
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

/**
 * Organization signers from the agency directory: the key reference says where the key lives
 * (KMS in AWS, a file in local development), the chain reference where its certificates are.
 * PKCS#11 keys need the HSM's library inside the function and are refused here with a clear
 * error, which parks the message in the DLQ; resolved signers are cached per cold start.
 */
export class DirectoryOrganizationSigners implements OrganizationSigners {
  readonly #cache = new Map<string, OrganizationSigning>();
  readonly #directory: AgencyDirectory;
  readonly #kms: KMSClient | undefined;
  readonly #certificates: DocumentStore;

  constructor(options: {
    directory: AgencyDirectory;
    kms?: KMSClient;
    /** Where `{ kind: 'object' }` certificate chains are kept. */
    certificates: DocumentStore;
  }) {
    this.#directory = options.directory;
    this.#kms = options.kms;
    this.#certificates = options.certificates;
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
    } else {
      throw new Error(
        `${agencyCode}'s key is in a PKCS#11 token, which this function cannot reach; sign with edoc countersign on a host with the HSM library`,
      );
    }
    const resolved = { signer, certificateChain };
    this.#cache.set(agencyCode, resolved);
    return resolved;
  }
}
