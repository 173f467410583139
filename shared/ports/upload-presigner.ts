export interface PresignPostRequest {
  /** The one object key the form may write. */
  readonly key: string;
  readonly contentType: string;
  /** Upper bound of the upload size; the lower bound is one byte. */
  readonly maxBytes: number;
  /** Declared SHA-256 in hex: the store refuses bytes that do not hash to it. */
  readonly sha256Hex: string;
  readonly expiresSeconds: number;
}

/** A browser form upload: POST `fields` then the file, as multipart/form-data, to `url`. */
export interface PresignedPost {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * Hands an agency a short-lived, single-object upload form, so the PDF goes straight to the
 * store and never through the API. The form pins key, type, size range and checksum.
 */
export interface UploadPresigner {
  presignPost(request: PresignPostRequest): Promise<PresignedPost>;
}
