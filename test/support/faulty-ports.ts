import type { DocumentStore } from '#ports/document-store.ts';
import { type Signer, SignerUnavailableError } from '#ports/signer.ts';
import type { StatusRepository } from '#ports/status-repository.ts';
import type { StepQueue } from '#shared/pipeline/ports.ts';
import { mulberry32, type Random } from './fuzz-mutations.ts';

/** The calls a fault can hit. */
export type FaultPoint =
  | 'documents.get'
  | 'documents.put'
  | 'archive.put'
  | 'repository.transition'
  | 'repository.recordDeliveries'
  | 'queue.send'
  | 'signer.sign';

/**
 * How a call fails: `before` it takes effect (a throttled or refused request), or `after` it took
 * effect with the answer lost (a timeout, or the function killed right after the call).
 */
export type FaultMode = 'before' | 'after';

/** What the infrastructure would throw: not a DomainError, so the use cases let it through. */
export class InjectedFault extends Error {
  readonly point: FaultPoint;
  readonly mode: FaultMode;

  constructor(point: FaultPoint, mode: FaultMode) {
    super(`injected fault: ${point} (${mode})`);
    this.name = 'InjectedFault';
    this.point = point;
    this.mode = mode;
  }
}

export interface FaultInjectorOptions {
  readonly seed: number;
  /** Chance that a call at each point fails. */
  readonly rates: Partial<Record<FaultPoint, number>>;
  /** Chance that a call yields to the event loop first, so concurrent runs interleave. @default 0.3 */
  readonly yieldRate?: number;
}

/** Decides, from one seeded stream, which calls fail and how; counts what it injected. */
export class FaultInjector {
  readonly injected = new Map<string, number>();
  readonly #random: Random;
  readonly #rates: Partial<Record<FaultPoint, number>>;
  readonly #yieldRate: number;
  /** Faults forced at a point, before the random ones: after `skip` more calls, fail with `mode`. */
  readonly #scripted = new Map<FaultPoint, { mode: FaultMode; skip: number }[]>();

  constructor(options: FaultInjectorOptions) {
    this.#random = mulberry32(options.seed);
    this.#rates = options.rates;
    this.#yieldRate = options.yieldRate ?? 0.3;
  }

  /** Makes the call at `point` after the next `skip` ones fail with `mode`, whatever the rates say. */
  failNext(point: FaultPoint, mode: FaultMode, skip = 0): void {
    this.#scripted.set(point, [...(this.#scripted.get(point) ?? []), { mode, skip }]);
  }

  /** Runs `call` at `point`, failing before or after it as the plan decides. */
  async around<T>(point: FaultPoint, call: () => Promise<T>): Promise<T> {
    if (this.#random.chance(this.#yieldRate)) await new Promise((r) => setImmediate(r));
    const mode = this.#decide(point);
    if (mode === 'before') this.#fail(point, mode);
    const result = await call();
    if (mode === 'after') this.#fail(point, mode);
    return result;
  }

  #decide(point: FaultPoint): FaultMode | undefined {
    const scripted = this.#scripted.get(point);
    const [first] = scripted ?? [];
    if (scripted !== undefined && first !== undefined) {
      if (first.skip > 0) {
        first.skip--;
        return undefined;
      }
      scripted.shift();
      return first.mode;
    }
    if (!this.#random.chance(this.#rates[point] ?? 0)) return undefined;
    return this.#random.chance(0.5) ? 'before' : 'after';
  }

  #fail(point: FaultPoint, mode: FaultMode): never {
    const key = `${point}:${mode}`;
    this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
    // A throttled key store says so in a typed, retryable error, as the KMS adapter does.
    if (point === 'signer.sign' && mode === 'before') {
      throw new SignerUnavailableError('injected fault: the key store is throttling');
    }
    throw new InjectedFault(point, mode);
  }
}

export function faultyDocumentStore(
  store: DocumentStore,
  faults: FaultInjector,
  role: 'documents' | 'archive',
): DocumentStore {
  return {
    get: (key) =>
      role === 'documents' ? faults.around('documents.get', () => store.get(key)) : store.get(key),
    put: (key, body, options) =>
      faults.around(role === 'documents' ? 'documents.put' : 'archive.put', () =>
        store.put(key, body, options),
      ),
  };
}

export function faultyStatusRepository(
  repository: StatusRepository,
  faults: FaultInjector,
): StatusRepository {
  return {
    create: (doc, entry) => repository.create(doc, entry),
    get: (id) => repository.get(id),
    transition: (id, from, to, entry, changes) =>
      faults.around('repository.transition', () =>
        repository.transition(id, from, to, entry, changes),
      ),
    recordDeliveries: (id, deliveries) =>
      faults.around('repository.recordDeliveries', () =>
        repository.recordDeliveries(id, deliveries),
      ),
    deliveries: (id) => repository.deliveries(id),
    advanceDelivery: (id, recipient, from, to, at, note) =>
      repository.advanceDelivery(id, recipient, from, to, at, note),
  };
}

export function faultyQueue(queue: StepQueue, faults: FaultInjector): StepQueue {
  return { send: (message) => faults.around('queue.send', () => queue.send(message)) };
}

export function faultySigner(signer: Signer, faults: FaultInjector): Signer {
  return {
    algorithm: signer.algorithm,
    sign: (digest) => faults.around('signer.sign', () => signer.sign(digest)),
    publicKey: () => signer.publicKey(),
  };
}
