/** Lower case without diacritics, đ as d: how Vietnamese names are searched. */
export const fold = (s: string) =>
  s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/gi, 'd').toLowerCase();

/** Accent-insensitive match of a query against any of the texts; an empty query matches all. */
export const matches = (query: string, ...texts: readonly string[]) => {
  const q = fold(query.trim());
  return q === '' || fold(texts.join(' ')).includes(q);
};
