import { t } from '../i18n';

export default function Page(_props: { id?: number }) {
  return <div class="page"><p>{t('common.loading')}</p></div>;
}
