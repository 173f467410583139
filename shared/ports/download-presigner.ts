/**
 * Hands a caller a short-lived link to one stored object, so the PDF goes straight from the store
 * to the browser and never through the API.
 */
export interface DownloadPresigner {
  presignGet(key: string, options: { readonly expiresSeconds: number }): Promise<string>;
}
