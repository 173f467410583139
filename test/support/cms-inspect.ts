import forge from 'node-forge';

/** Test-side ASN.1 reading with node-forge, a decoder independent of the code under test. */
export type Asn1 = forge.asn1.Asn1;

export function parseDer(der: Buffer): Asn1 {
  return forge.asn1.fromDer(der.toString('binary'));
}

export function child(node: Asn1 | undefined, index: number): Asn1 {
  const value = node?.value;
  const found = Array.isArray(value) ? value[index] : undefined;
  if (found === undefined) throw new Error(`no ASN.1 element ${index}`);
  return found;
}

export function children(node: Asn1): Asn1[] {
  return Array.isArray(node.value) ? node.value : [];
}

export function oidOf(node: Asn1): string {
  return forge.asn1.derToOid(bytesOf(node).toString('binary'));
}

/** Content bytes of a primitive element. */
export function bytesOf(node: Asn1): Buffer {
  if (typeof node.value !== 'string') throw new Error('not a primitive element');
  return Buffer.from(node.value, 'binary');
}

export function encode(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

/** SignedData of a ContentInfo. */
export function signedDataOf(cms: Buffer): Asn1 {
  return child(child(parseDer(cms), 1), 0);
}

/** The single SignerInfo of a CMS SignedData. */
export function signerInfoOf(cms: Buffer): Asn1 {
  return child(children(signedDataOf(cms)).at(-1), 0);
}

export function isContext(node: Asn1, tag: number): boolean {
  return node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && node.type === tag;
}
