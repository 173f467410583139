/** One stored report object, as listed. */
export interface StoredReport {
  readonly key: string;
  readonly size: number;
  /** ISO 8601 instant. */
  readonly lastModified: string;
}

export interface ReportListPage {
  readonly objects: readonly StoredReport[];
  /** Present when more objects follow; opaque to callers. */
  readonly cursor?: string;
}

/** The rendered phase reports (the reports bucket in AWS), read-only. */
export interface ReportLibrary {
  /** Objects whose key starts with `prefix`, in key order; throws InvalidCursorError on a bad cursor. */
  list(
    prefix: string,
    page: { readonly limit: number; readonly cursor?: string },
  ): Promise<ReportListPage>;
  exists(key: string): Promise<boolean>;
}
