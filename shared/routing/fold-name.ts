/**
 * The comparable form of a Vietnamese name: without diacritics (NFD, combining marks removed,
 * đ/Đ mapped to d, which NFD does not decompose), lower-case, whitespace collapsed. Certificates
 * are issued with names typed by hand, upper-cased, with or without diacritics, so
 * "Sở Thông tin và Truyền thông" and "SO THONG TIN VA TRUYEN THONG" must compare equal.
 */
export function foldName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

/** An ASCII slug of a Vietnamese label: "Thượng khẩn" → `thuong-khan`, "hoa_toc" → `hoa-toc`. */
export function slugName(label: string): string {
  return foldName(label).replace(/[\s_]+/g, '-');
}
