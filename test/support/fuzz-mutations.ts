/** A seeded source of randomness, so a fuzz case is reproduced from its seed alone. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: 32 bits of state, fast, good enough to spread mutations. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    chance: (p) => next() < p,
  };
}

const mix32 = (x: number): number => {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** One seed per (campaign seed, iteration), so any iteration replays without the ones before it. */
export function caseSeed(seed: number, iteration: number): number {
  return mix32((mix32(seed) + Math.imul(iteration + 1, 0x9e3779b9)) >>> 0);
}

export type MutationName =
  | 'flip-bytes'
  | 'truncate'
  | 'duplicate-xref'
  | 'remove-xref'
  | 'huge-length'
  | 'deep-nesting'
  | 'reference-loop'
  | 'prev-loop'
  | 'enormous-byterange'
  | 'startxref-anywhere'
  | 'splice';

export const MUTATIONS: readonly MutationName[] = [
  'flip-bytes',
  'truncate',
  'duplicate-xref',
  'remove-xref',
  'huge-length',
  'deep-nesting',
  'reference-loop',
  'prev-loop',
  'enormous-byterange',
  'startxref-anywhere',
  'splice',
];

const latin1 = (b: Buffer) => b.toString('latin1');
const bytesOf = (s: string) => Buffer.from(s, 'latin1');

/** Every match of `pattern` (global) in the file as text: index and text. */
function matches(text: string, pattern: RegExp): { index: number; text: string }[] {
  return [...text.matchAll(pattern)].map((m) => ({ index: m.index, text: m[0] }));
}

/** `text` at `at` replaced by `by`; padded with spaces to the same length when it is shorter. */
function overwrite(bytes: Buffer, at: number, length: number, by: string, keepLength: boolean) {
  const replacement = keepLength && by.length <= length ? by.padEnd(length, ' ') : by;
  return Buffer.concat([bytes.subarray(0, at), bytesOf(replacement), bytes.subarray(at + length)]);
}

// Bounded digit runs: `\d+` over the long zero runs of /Contents placeholders backtracks
// quadratically.
const OBJ_HEADER = /(?<!\d)\d{1,10} \d{1,5} obj\b\s*/g;
const REFERENCE = /(?<!\d)\d{1,10} \d{1,5} R\b/g;

/** Cross-reference tables (`xref` up to `trailer`) and xref-stream objects of the file. */
function xrefSections(text: string): { index: number; text: string }[] {
  const sections: { index: number; text: string }[] = [];
  for (let at = text.indexOf('xref'); at >= 0; at = text.indexOf('xref', at + 4)) {
    const before = text[at - 1];
    if (at > 0 && before !== '\n' && before !== '\r') continue;
    const end = text.indexOf('trailer', at);
    if (end > at) sections.push({ index: at, text: text.slice(at, end) });
  }
  for (let at = text.indexOf('/XRef'); at >= 0; at = text.indexOf('/XRef', at + 5)) {
    const header = text.lastIndexOf(' obj', at);
    const start = header < 0 ? -1 : text.lastIndexOf('\n', header) + 1;
    const end = text.indexOf('endobj', at);
    if (start >= 0 && end > at && at - start < 4096) {
      sections.push({ index: start, text: text.slice(start, end + 'endobj'.length) });
    }
  }
  return sections;
}

const HUGE_NUMBERS = [
  '99999999999999999999',
  '9007199254740993',
  '4294967296',
  '2147483648',
  '-1',
  '-2147483649',
  '1e308',
  '0.5',
  '0',
];

type Mutate = (bytes: Buffer, random: Random) => Buffer;

const mutations: Readonly<Record<MutationName, Mutate>> = {
  'flip-bytes': (bytes, random) => {
    const out = Buffer.from(bytes);
    if (out.length === 0) return out;
    const count = 1 + random.int(16);
    for (let i = 0; i < count; i++) {
      const at = random.int(out.length);
      out[at] = random.chance(0.5) ? (out[at] ?? 0) ^ (1 << random.int(8)) : random.int(256);
    }
    return out;
  },

  truncate: (bytes, random) => bytes.subarray(0, random.int(bytes.length + 1)),

  'duplicate-xref': (bytes, random) => {
    const sections = xrefSections(latin1(bytes));
    if (sections.length === 0) return bytes;
    const section = random.pick(sections);
    const at = random.chance(0.5) ? section.index : random.int(bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, at), bytesOf(section.text), bytes.subarray(at)]);
  },

  'remove-xref': (bytes, random) => {
    const sections = xrefSections(latin1(bytes));
    if (sections.length === 0) return bytes;
    const section = random.pick(sections);
    return Buffer.concat([
      bytes.subarray(0, section.index),
      bytes.subarray(section.index + section.text.length),
    ]);
  },

  'huge-length': (bytes, random) => {
    const lengths = matches(latin1(bytes), /\/Length\s+\d+(\s+\d+\s+R)?/g);
    if (lengths.length === 0) return bytes;
    const target = random.pick(lengths);
    const value = random.chance(0.2) ? '1 0 R' : random.pick(HUGE_NUMBERS);
    return overwrite(bytes, target.index, target.text.length, `/Length ${value}`, true);
  },

  'deep-nesting': (bytes, random) => {
    const [open, close] = random.pick([
      ['[', ']'],
      ['<<', '>>'],
      ['<< /A ', '>>'],
      ['[<<', '>>]'],
    ] as const);
    const depth = random.pick([64, 1_000, 20_000, 200_000]);
    const closed = random.chance(0.5);
    const nested = open.repeat(depth) + (closed ? close.repeat(depth) : '');
    const objects = matches(latin1(bytes), OBJ_HEADER);
    const at =
      objects.length > 0 && random.chance(0.8)
        ? (() => {
            const o = random.pick(objects);
            return o.index + o.text.length;
          })()
        : random.int(bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, at), bytesOf(nested), bytes.subarray(at)]);
  },

  'reference-loop': (bytes, random) => {
    // An object whose body refers to itself, or two objects that refer to each other; offsets
    // stay valid because the replacement keeps the length.
    const text = latin1(bytes);
    const headers = matches(text, OBJ_HEADER);
    const refs = matches(text, REFERENCE);
    if (headers.length === 0 || refs.length === 0) return bytes;
    const header = random.pick(headers);
    const [num, gen] = header.text.trim().split(' ');
    const nextRefs = refs.filter((r) => r.index > header.index);
    const target = nextRefs[0] && random.chance(0.7) ? nextRefs[0] : random.pick(refs);
    const loop = `${num} ${gen} R`;
    if (loop.length > target.text.length) return bytes;
    return overwrite(bytes, target.index, target.text.length, loop, true);
  },

  'prev-loop': (bytes, random) => {
    const text = latin1(bytes);
    const prevs = matches(text, /\/Prev\s+\d+/g);
    const starts = matches(text, /startxref\s+(\d+)/g).map((m) => Number(/\d+/.exec(m.text)?.[0]));
    const offsets = [...starts, ...xrefSections(text).map((s) => s.index)];
    if (prevs.length === 0 || offsets.length === 0) return bytes;
    const prev = random.pick(prevs);
    return overwrite(bytes, prev.index, prev.text.length, `/Prev ${random.pick(offsets)}`, true);
  },

  'enormous-byterange': (bytes, random) => {
    const ranges = matches(latin1(bytes), /\/ByteRange\s*\[[^\]]*\]/g);
    if (ranges.length === 0) return bytes;
    const target = random.pick(ranges);
    const values = Array.from({ length: random.pick([1, 2, 4, 4, 6, 200]) }, () =>
      random.chance(0.6) ? random.pick(HUGE_NUMBERS) : String(random.int(bytes.length * 2)),
    );
    return overwrite(
      bytes,
      target.index,
      target.text.length,
      `/ByteRange [${values.join(' ')}]`,
      random.chance(0.7),
    );
  },

  'startxref-anywhere': (bytes, random) => {
    const found = matches(latin1(bytes), /startxref\s+\d+/g);
    const target = found.at(-1);
    if (target === undefined) return bytes;
    const value = random.chance(0.8)
      ? String(random.int(bytes.length + 64))
      : random.pick(HUGE_NUMBERS);
    return overwrite(bytes, target.index, target.text.length, `startxref\n${value}`, false);
  },

  splice: (bytes, random) => {
    if (bytes.length === 0) return bytes;
    const from = random.int(bytes.length);
    const chunk = bytes.subarray(from, from + 1 + random.int(512));
    const at = random.int(bytes.length + 1);
    const replace = random.chance(0.5) ? chunk.length : 0;
    return Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at + replace)]);
  },
};

/** A mutated input and how it came about. */
export interface FuzzCase {
  readonly seedName: string;
  readonly mutations: readonly MutationName[];
  readonly bytes: Buffer;
}

/**
 * Iteration `iteration` of campaign `seed`: one of `seeds` with one to three mutations applied.
 * Deterministic in (seed, iteration, seeds), so a finding is reproduced from those three alone.
 */
export function fuzzCase(
  seeds: readonly { readonly name: string; readonly bytes: Buffer }[],
  seed: number,
  iteration: number,
): FuzzCase {
  const random = mulberry32(caseSeed(seed, iteration));
  const base = random.pick(seeds);
  const applied: MutationName[] = [];
  let bytes = base.bytes;
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i++) {
    const name = random.pick(MUTATIONS);
    applied.push(name);
    bytes = mutations[name](bytes, random);
  }
  return { seedName: base.name, mutations: applied, bytes: Buffer.from(bytes) };
}
