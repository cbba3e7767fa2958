import { useT } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { LanguageSwitch } from '../components/shell.js';

export function SettingsPage() {
  const t = useT();
  const me = useMe();
  return (
    <section className="page" aria-labelledby="settings-title">
      <header className="page__header"><h1 id="settings-title">{t('settings.title')}</h1></header>
      <div className="card">
        <h2>{t('settings.profile')}</h2>
        <dl className="dl">
          <dt>{t('setup.name')}</dt><dd>{me.user.name}</dd>
          <dt>{t('login.email')}</dt><dd>{me.user.email}</dd>
          <dt>{t('settings.role')}</dt><dd>{t(me.user.role === 'admin' ? 'role.admin' : me.user.role === 'manager' ? 'role.manager' : 'role.sales')}</dd>
          <dt>{t('settings.language')}</dt><dd><LanguageSwitch id="settings-language" /></dd>
        </dl>
      </div>
      <div className="card">
        <h2>{t('settings.workspace')}</h2>
        <dl className="dl">
          <dt>{t('setup.workspaceName')}</dt><dd>{me.workspace.name}</dd>
          <dt>{t('settings.currency')}</dt><dd>{me.workspace.currency}</dd>
          <dt>{t('settings.timeZone')}</dt><dd>{me.workspace.timeZone}</dd>
        </dl>
      </div>
    </section>
  );
}
