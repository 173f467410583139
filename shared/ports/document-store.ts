/** Where uploaded and processed documents live (S3 in AWS, an emulator locally). */
export interface DocumentStore {
  /** The whole object; uploads are capped at the configured maximum, so they fit in memory once. */
  get(key: string): Promise<Buffer>;
  put(key: string, body: Buffer, options: { contentType: string }): Promise<void>;
}
