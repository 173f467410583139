import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import type { SecretSource } from '#shared/axis/ports.ts';

/** A secret fixed at start-up (tests, and local runs that pass it in). */
export class StaticSecretSource implements SecretSource {
  readonly #value: string;

  constructor(value: string) {
    if (value === '') throw new Error('the secret is empty');
    this.#value = value;
  }

  secret(): Promise<string> {
    return Promise.resolve(this.#value);
  }
}

/** A secret in a local file (the local stack), read once; one trailing line break is dropped. */
export class FileSecretSource implements SecretSource {
  readonly #path: string;
  #value: Promise<string> | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  secret(): Promise<string> {
    this.#value ??= readFile(this.#path, 'utf8').then((text) => {
      const value = text.replace(/\r?\n$/, '');
      if (value === '') throw new Error(`secret file ${this.#path} is empty`);
      return value;
    });
    return this.#value;
  }
}

const extensionAnswerSchema = z.object({ SecretString: z.string().min(1) });

export interface ParametersExtensionOptions {
  /** Name or ARN of the Secrets Manager secret; its SecretString is the secret. */
  readonly secretId: string;
  /** The function's AWS_SESSION_TOKEN, which the extension requires as a header. */
  readonly sessionToken: string;
  /** PARAMETERS_SECRETS_EXTENSION_HTTP_PORT. @default 2773 */
  readonly port?: number;
  /** How long a value is reused before asking again (the extension caches too). @default 5 min */
  readonly ttlMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Secrets Manager through the AWS Parameters and Secrets Lambda Extension (a layer that answers on
 * localhost with the function's own credentials), so no Secrets Manager SDK is bundled: the
 * repo has no @aws-sdk/client-secrets-manager. The construct adds the layer and grants
 * GetSecretValue on the one secret.
 */
export class ParametersExtensionSecretSource implements SecretSource {
  readonly #options: ParametersExtensionOptions;
  #cached: { value: string; until: number } | undefined;

  constructor(options: ParametersExtensionOptions) {
    this.#options = options;
  }

  async secret(): Promise<string> {
    const now = (this.#options.now ?? Date.now)();
    if (this.#cached && this.#cached.until > now) return this.#cached.value;
    const url = new URL(`http://localhost:${this.#options.port ?? 2773}/secretsmanager/get`);
    url.searchParams.set('secretId', this.#options.secretId);
    const response = await (this.#options.fetch ?? globalThis.fetch)(url, {
      headers: { 'X-Aws-Parameters-Secrets-Token': this.#options.sessionToken },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) {
      throw new Error(`secret ${this.#options.secretId}: extension answered ${response.status}`);
    }
    const value = extensionAnswerSchema.parse(await response.json()).SecretString;
    this.#cached = { value, until: now + (this.#options.ttlMs ?? 5 * 60_000) };
    return value;
  }
}
