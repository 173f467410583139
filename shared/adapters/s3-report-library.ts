import {
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { ReportLibrary, ReportListPage } from '#ports/report-library.ts';
import { decodeCursor, encodeCursor } from '#shared/documents/cursor.ts';
import { InvalidCursorError } from '#shared/documents/errors.ts';

/**
 * ReportLibrary on the reports bucket. The caller's cursor wraps S3's continuation token with the
 * prefix it was issued for, so a cursor from one schedule's list is refused on another's.
 * The role needs `s3:ListBucket` (conditioned on the prefix), `s3:GetObject` for HeadObject and
 * `kms:Decrypt`.
 */
export class S3ReportLibrary implements ReportLibrary {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.#client = client;
    this.#bucket = bucket;
  }

  async list(
    prefix: string,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<ReportListPage> {
    const token =
      page.cursor === undefined
        ? undefined
        : decodeCursor(page.cursor, ['prefix', 'token'], { field: 'prefix', value: prefix })[
            'token'
          ];
    const out = await this.#client
      .send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: prefix,
          MaxKeys: page.limit,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      )
      .catch((error: unknown) => {
        // S3 refuses a token it did not issue (or one that expired) as a client error.
        if (
          token !== undefined &&
          error instanceof S3ServiceException &&
          error.$fault === 'client'
        ) {
          throw new InvalidCursorError({ cause: error });
        }
        throw error;
      });
    return {
      objects: (out.Contents ?? []).flatMap((o) =>
        o.Key === undefined
          ? []
          : [
              {
                key: o.Key,
                size: o.Size ?? 0,
                lastModified: (o.LastModified ?? new Date(0)).toISOString(),
              },
            ],
      ),
      ...(out.NextContinuationToken
        ? { cursor: encodeCursor({ prefix, token: out.NextContinuationToken }) }
        : {}),
    };
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (error) {
      if (error instanceof NotFound) return false;
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) {
        return false;
      }
      throw error;
    }
  }
}
