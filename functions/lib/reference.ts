import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAgencyKeyRegistry } from '#adapters/dynamodb-agency-key-registry.ts';
import { DynamoDbReferenceStore } from '#adapters/dynamodb-reference-store.ts';
import { REFERENCE_MAX_AGE_MS, ReferenceCache } from '#shared/documents/reference-data.ts';
import { type AgencyDirectory, loadAgencyDirectory } from '#shared/routing/directory.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { intEnv, optionalEnv } from './env.ts';

/** The directory file named by `DIRECTORY_FILE` is missing, not JSON, or not a valid directory. */
export class DirectoryFileError extends Error {
  readonly file: string;

  constructor(file: string, options: { cause: unknown }) {
    const detail = options.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`cannot load the agency directory from ${file}${detail}`, options);
    this.name = 'DirectoryFileError';
    this.file = file;
  }
}

/**
 * The agency directory the pipeline handlers and the API work from: the seed directory, or the
 * JSON file at `DIRECTORY_FILE` (set by the local stack, whose issuing agencies sign with file
 * keys under `.edoc-local/keys/`). The file is validated like the seed, and relative `file` paths
 * of keys and certificate chains are taken from the file's own folder, so a directory and its
 * keys can move together. A bad file fails the cold start rather than routing by wrong data.
 */
export async function loadDirectory(): Promise<AgencyDirectory> {
  const file = optionalEnv('DIRECTORY_FILE');
  if (file === undefined) return QUANG_NGAI_DIRECTORY;
  try {
    const directory = loadAgencyDirectory(JSON.parse(await readFile(file, 'utf8')));
    return loadAgencyDirectory(directory.agencies.map((a) => withPathsFrom(dirname(file), a)));
  } catch (error) {
    throw new DirectoryFileError(file, { cause: error });
  }
}

type Agency = AgencyDirectory['agencies'][number];

function withPathsFrom(base: string, agency: Agency): Agency {
  const signing = agency.organizationSigning;
  if (signing === undefined) return agency;
  const at = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  return {
    ...agency,
    organizationSigning: {
      key: signing.key.kind === 'file' ? { kind: 'file', path: at(signing.key.path) } : signing.key,
      certificateChain:
        signing.certificateChain.kind === 'file'
          ? { kind: 'file', path: at(signing.certificateChain.path) }
          : signing.certificateChain,
    },
  };
}

/**
 * The directory and catalogue in force for a handler: the seed (or `DIRECTORY_FILE`) overlaid
 * with administrators' edits and then the installed organization keys, both from the status
 * table, read again at most every `REFERENCE_MAX_AGE_SECONDS` (60 by default), so an edit or an
 * installed key reaches every function within a minute.
 */
export async function referenceCache(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<ReferenceCache> {
  return new ReferenceCache({
    base: { directory: await loadDirectory(), catalogue: SEED_DOCUMENT_TYPES },
    store: new DynamoDbReferenceStore(dynamodb, tableName),
    keys: new DynamoDbAgencyKeyRegistry(dynamodb, tableName),
    clock: { now: () => new Date() },
    maxAgeMs: intEnv('REFERENCE_MAX_AGE_SECONDS', REFERENCE_MAX_AGE_MS / 1000) * 1000,
  });
}
