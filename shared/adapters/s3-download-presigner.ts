import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DownloadPresigner } from '#ports/download-presigner.ts';

/**
 * DownloadPresigner as an S3 pre-signed GET, signed with the function's own credentials: its
 * role needs `s3:GetObject` on the key and `kms:Decrypt` on the bucket key.
 */
export class S3DownloadPresigner implements DownloadPresigner {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.#client = client;
    this.#bucket = bucket;
  }

  presignGet(key: string, options: { readonly expiresSeconds: number }): Promise<string> {
    return getSignedUrl(this.#client, new GetObjectCommand({ Bucket: this.#bucket, Key: key }), {
      expiresIn: options.expiresSeconds,
    });
  }
}
