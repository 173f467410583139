/** The signature tests' PKI lives with the other test PKI in test/support; kept for its importers. */
export {
  flipByteOf,
  makeSignaturePki,
  type SignaturePki,
  type SignOptions,
  type TestCert,
} from '#test/support/signing-pki.ts';
