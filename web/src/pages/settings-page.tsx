import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { ApiTokensCard, ProfileSettings } from './settings/profile-settings.js';
import { WorkspaceSettings } from './settings/workspace-settings.js';
import { StagesSettings } from './settings/stages-settings.js';
import { CampaignsSettings, CustomFieldsSettings, ProductsSettings, SourcesSettings, TeamsSettings, UsersSettings } from './settings/reference-settings.js';
import { WebhooksSettings } from './settings/webhooks-settings.js';
import { WebFormsSettings } from './settings/web-forms-settings.js';
import { CaptureSettings } from './settings/capture-settings.js';
import { ScoreSettings } from './settings/score-settings.js';
import { ClientProfileSettings } from '../components/profile-settings.js';
import { WeeklySummarySetting } from '../components/weekly-summary-setting.js';
import type { Role } from '../api/types.js';

type Section = { id: string; labelKey: MessageKey; roles?: Role[]; render: () => ReactNode };

// Everyone reads the reference lists (read-only for sales); admin-only sections are hidden for others.
const sections: Section[] = [
  { id: 'profile', labelKey: 'settings.profile', render: () => <ProfileSettings /> },
  { id: 'products', labelKey: 'settings.products', render: () => <ProductsSettings /> },
  { id: 'sources', labelKey: 'settings.sources', render: () => <SourcesSettings /> },
  { id: 'campaigns', labelKey: 'settings.campaigns', render: () => <CampaignsSettings /> },
  { id: 'stages', labelKey: 'settings.stages', render: () => <StagesSettings /> },
  { id: 'users', labelKey: 'settings.users', roles: ['admin', 'manager'], render: () => <UsersSettings /> },
  { id: 'teams', labelKey: 'settings.teams', roles: ['admin', 'manager'], render: () => <TeamsSettings /> },
  { id: 'custom-fields', labelKey: 'settings.customFields', roles: ['admin'], render: () => <CustomFieldsSettings /> },
  { id: 'web-forms', labelKey: 'webForms.title', roles: ['admin', 'manager'], render: () => <WebFormsSettings /> },
  { id: 'capture', labelKey: 'capture.policy.title', roles: ['admin'], render: () => <CaptureSettings /> },
  { id: 'score', labelKey: 'score.settings.title', render: () => <ScoreSettings /> },
  { id: 'client-profile', labelKey: 'profile.settings.title', roles: ['admin'], render: () => <ClientProfileSettings /> },
  { id: 'api-tokens', labelKey: 'settings.allApiTokens', roles: ['admin'], render: () => <ApiTokensCard scope="all" /> },
  { id: 'webhooks', labelKey: 'webhooks.title', roles: ['admin'], render: () => <WebhooksSettings /> },
  { id: 'weekly-summary', labelKey: 'dashboard.weeklySummary.title', roles: ['admin', 'manager'], render: () => <WeeklySummarySetting /> },
  { id: 'workspace', labelKey: 'settings.workspace', render: () => <WorkspaceSettings /> },
];

export function SettingsPage() {
  const { t } = useI18n();
  const me = useMe();
  const { section = 'profile' } = useParams();
  const visible = sections.filter((s) => !s.roles || s.roles.includes(me.user.role));
  const current = visible.find((s) => s.id === section) ?? visible[0]!;
  return (
    <section className="page" aria-labelledby="settings-title">
      <header className="page__header"><h1 id="settings-title">{t('settings.title')}</h1></header>
      <nav className="settings-nav" aria-label={t('settings.sections')}>
        {visible.map((s) => (
          <Link key={s.id} to={s.id === 'profile' ? '/settings' : `/settings/${s.id}`} aria-current={s.id === current.id ? 'page' : undefined}>{t(s.labelKey)}</Link>
        ))}
      </nav>
      {current.render()}
    </section>
  );
}
