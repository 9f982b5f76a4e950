// 证书 (issue 15, 3.): numbered at 发布, rendered to PDF once and stored, verified at /verify/<证书编号>.
import type { Db } from '../db/client';

/**
 * Called by 发布 inside its transaction (server/usecases/publication.ts): one certificate row per winner (kind
 * winner) and one per national recommendee (kind national) of the confirmed selection, numbered, issued on
 * `issuedOn` (YYYY-MM-DD). Idempotent: a certificate that exists is kept with its number.
 */
export async function issueCertificates(_tx: Db, _campaignId: string, _issuedOn: string): Promise<void> {
  // written by the certificates area of issue 15
}
