import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import * as z from 'zod';
import { isSignatureAlgorithm } from '#ports/signature-algorithms.ts';
import type { SignatureAlgorithm, Signer } from '#ports/signer.ts';
import { hashOf, schemeOf } from '#signature/signers/algorithms.ts';
import { EdxmlFormatError } from './errors.ts';
import { group } from './fields.ts';

/*
 * Organization signature over an edXML envelope — NOT XML-DSig, and not interoperable with it.
 *
 * We have no XML canonicalizer, so instead of an enveloped ds:Signature with exclusive C14N we
 * sign our own canonical serialization: the `edXML:edXMLEnvelope` element exactly as
 * `canonicalEnvelope` writes it (UTF-8, XML declaration, xmlns:edXML and xmlns:hub on the
 * envelope, no whitespace, children in schema order, empty elements as `<x/>`, the signature
 * element itself left out). The verifier rebuilds those bytes from the parsed envelope, so
 * anything the model does not hold (ignored attributes, comments, formatting) is not covered.
 * Attachments are covered through the manifest's hub:sha256/hub:size. The result goes in
 * `edXMLHeader/hub:EnvelopeSignature` (hub:Algorithm as KMS names it, hub:PublicKey as SPKI DER
 * base64, hub:SignatureValue base64). Other axis members will ignore or reject it; only edoc-hub
 * verifies it, and whether the public key belongs to the sending organization is the caller's
 * check.
 */

const base64Schema = z
  .string()
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');

export const SIGNATURE_ELEMENT = 'hub:EnvelopeSignature';

export const envelopeSignatureSchema = group({
  'hub:Algorithm': z.custom<SignatureAlgorithm>(
    isSignatureAlgorithm,
    'unknown signature algorithm',
  ),
  'hub:PublicKey': base64Schema,
  'hub:SignatureValue': base64Schema,
});
export type EnvelopeSignature = z.output<typeof envelopeSignatureSchema>;

/** A signature that does not verify over the envelope it came with. */
export class EdxmlSignatureError extends EdxmlFormatError {}

export async function signEnvelope(canonical: Buffer, signer: Signer): Promise<EnvelopeSignature> {
  const digest = createHash(hashOf(signer.algorithm)).update(canonical).digest();
  const [value, publicKey] = await Promise.all([signer.sign(digest), signer.publicKey()]);
  return {
    'hub:Algorithm': signer.algorithm,
    'hub:PublicKey': publicKey.toString('base64'),
    'hub:SignatureValue': value.toString('base64'),
  };
}

/** Verify and return the signing public key (SPKI DER), or throw EdxmlSignatureError. */
export function verifyEnvelope(
  canonical: Buffer,
  signature: EnvelopeSignature,
  path: string,
): Buffer {
  const publicKey = Buffer.from(signature['hub:PublicKey'], 'base64');
  let ok: boolean;
  try {
    const key = createPublicKey({ key: publicKey, format: 'der', type: 'spki' });
    const scheme = schemeOf(signature['hub:Algorithm']);
    ok = verify(
      hashOf(signature['hub:Algorithm']),
      canonical,
      scheme === 'pss'
        ? {
            key,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_AUTO,
          }
        : key,
      Buffer.from(signature['hub:SignatureValue'], 'base64'),
    );
  } catch (error) {
    throw new EdxmlSignatureError('the envelope signature cannot be checked', path, {
      cause: error,
    });
  }
  if (!ok) throw new EdxmlSignatureError('the envelope signature does not verify', path);
  return publicKey;
}
