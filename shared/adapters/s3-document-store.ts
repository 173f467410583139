import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DocumentStore } from '#ports/document-store.ts';

/** DocumentStore on one S3 bucket. */
export class S3DocumentStore implements DocumentStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.#client = client;
    this.#bucket = bucket;
  }

  async get(key: string): Promise<Buffer> {
    const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    if (out.Body === undefined) throw new Error(`s3://${this.#bucket}/${key} has no body`);
    return Buffer.from(await out.Body.transformToByteArray());
  }

  async put(key: string, body: Buffer, options: { contentType: string }): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ChecksumAlgorithm: 'SHA256',
      }),
    );
  }
}
