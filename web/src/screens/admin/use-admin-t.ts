import { useI18n } from '../../i18n.ts';
import { type AdminTranslate, adminTranslator } from '../../i18n-admin.ts';

/** The admin messages in the console's current language (kept apart from i18n.ts, which imports them). */
export function useAdminT(): AdminTranslate {
  return adminTranslator(useI18n().lang);
}
