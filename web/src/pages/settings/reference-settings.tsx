import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import type { Page } from '../../api/types.js';
import { useSources, useUsers } from '../../api/lookups.js';
import { useI18n, type MessageKey } from '../../i18n/i18n.js';
import { useMe } from '../../session.js';
import { RefTable } from '../../components/settings-ref-table.js';
import { SegmentCountText, useSegmentName, useSegments } from '../../components/segment-editor.js';
import { sourceKinds, type TeamRecord } from '../../lib/records.js';

const sourceKindKey = (k: string) => `settings.sourceKind.${k}` as MessageKey;
const useTeams = () => useQuery({ queryKey: ['settings', '/teams', {}], queryFn: () => api.get<Page<TeamRecord>>('/teams', { limit: '500' }) });

export function ProductsSettings() {
  const { t, fmt } = useI18n();
  const me = useMe();
  return (
    <RefTable path="/products" title={t('settings.products')} newLabel={t('settings.newProduct')} canEdit={me.user.role === 'admin'} lookupKey="products"
      columns={[
        { key: 'name', label: t('settings.name'), kind: 'text', inCreate: true, required: true },
        { key: 'sku', label: t('settings.sku'), kind: 'text', inCreate: true },
        { key: 'category', label: t('settings.category'), kind: 'text', inCreate: true },
        { key: 'unitPrice', label: t('settings.unitPrice'), kind: 'decimal', inCreate: true, render: (r) => fmt.money(Number(r['unitPrice'])) },
        { key: 'isActive', label: t('settings.active'), kind: 'checkbox' },
      ]} />
  );
}

export function SourcesSettings() {
  const { t } = useI18n();
  const me = useMe();
  const kinds = sourceKinds.map((k) => ({ value: k, label: t(sourceKindKey(k)) }));
  return (
    <RefTable path="/sources" title={t('settings.sources')} newLabel={t('settings.newSource')} canEdit={me.user.role === 'admin'} lookupKey="sources"
      columns={[
        { key: 'name', label: t('settings.name'), kind: 'text', inCreate: true, required: true },
        { key: 'kind', label: t('settings.sourceKind'), kind: 'select', options: kinds, inCreate: true, required: true, initial: 'other' },
        { key: 'isActive', label: t('settings.active'), kind: 'checkbox' },
      ]} />
  );
}

export function CampaignsSettings() {
  const { t, fmt } = useI18n();
  const me = useMe();
  const sources = useSources();
  const segments = useSegments();
  const segmentName = useSegmentName();
  return (
    <RefTable path="/campaigns" title={t('settings.campaigns')} newLabel={t('settings.newCampaign')} canEdit={me.user.role !== 'sales'}
      columns={[
        { key: 'name', label: t('settings.name'), kind: 'text', inCreate: true, required: true },
        { key: 'sourceId', label: t('lead.source'), kind: 'select', options: (sources.data ?? []).map((s) => ({ value: s.id, label: s.name })), inCreate: true },
        { key: 'startsOn', label: t('settings.startsOn'), kind: 'date', inCreate: true },
        { key: 'endsOn', label: t('settings.endsOn'), kind: 'date', inCreate: true },
        { key: 'cost', label: t('settings.cost'), kind: 'decimal', inCreate: true, render: (r) => fmt.money(Number(r['cost'])) },
        { key: 'segmentId', label: t('segments.campaignTarget'), kind: 'select', inCreate: true,
          options: (segments.data ?? []).map((s) => ({ value: s.id, label: segmentName(s) })) },
        { key: 'segmentReach', label: t('segments.campaignReach'), kind: 'text', readOnly: true,
          render: (r) => (typeof r['segmentId'] === 'string' ? <SegmentCountText id={r['segmentId']} /> : '—') },
      ]} />
  );
}

export function TeamsSettings() {
  const { t } = useI18n();
  const me = useMe();
  const users = useUsers();
  return (
    <RefTable path="/teams" title={t('settings.teams')} newLabel={t('settings.newTeam')} canEdit={me.user.role === 'admin'}
      columns={[
        { key: 'name', label: t('settings.name'), kind: 'text', inCreate: true, required: true },
        { key: 'managerId', label: t('settings.manager'), kind: 'select', options: (users.data ?? []).map((u) => ({ value: u.id, label: u.name })), inCreate: true },
      ]} />
  );
}

export function UsersSettings() {
  const { t } = useI18n();
  const me = useMe();
  const teams = useTeams();
  const roles = (['admin', 'manager', 'sales'] as const).map((r) => ({ value: r, label: t(`role.${r}`) }));
  return (
    <RefTable path="/users" title={t('settings.users')} newLabel={t('settings.newUser')} canEdit={me.user.role === 'admin'} lookupKey="users"
      createExtra={[{ key: 'email', label: t('login.email'), type: 'email' }, { key: 'password', label: t('setup.password'), type: 'password' }]}
      columns={[
        { key: 'name', label: t('setup.name'), kind: 'text', inCreate: true, required: true },
        { key: 'email', label: t('login.email'), kind: 'text', readOnly: true },
        { key: 'role', label: t('settings.role'), kind: 'select', options: roles, inCreate: true, required: true, initial: 'sales' },
        { key: 'teamId', label: t('settings.team'), kind: 'select', options: (teams.data?.data ?? []).map((x) => ({ value: x.id, label: x.name })), inCreate: true },
        { key: 'isActive', label: t('settings.active'), kind: 'checkbox' },
      ]} />
  );
}

export function CustomFieldsSettings() {
  const { t } = useI18n();
  const me = useMe();
  const entities = (['contact', 'company', 'lead'] as const).map((e) => ({ value: e, label: t(`settings.entity.${e}`) }));
  const types = (['text', 'number', 'date', 'choice'] as const).map((x) => ({ value: x, label: t(`settings.fieldType.${x}`) }));
  return (
    <RefTable path="/custom-fields" title={t('settings.customFields')} newLabel={t('settings.newCustomField')} canEdit={me.user.role === 'admin'} lookupKey="customFields"
      createExtra={[{ key: 'options', label: t('settings.options'), hint: t('settings.optionsHint'), list: true }]}
      columns={[
        { key: 'entity', label: t('settings.entity'), kind: 'select', options: entities, inCreate: true, required: true, initial: 'contact', readOnly: true },
        { key: 'key', label: t('settings.fieldKey'), kind: 'text', inCreate: true, required: true, readOnly: true },
        { key: 'label', label: t('settings.fieldLabel'), kind: 'text', inCreate: true, required: true },
        { key: 'type', label: t('settings.fieldType'), kind: 'select', options: types, inCreate: true, required: true, initial: 'text' },
        { key: 'isRequired', label: t('settings.required'), kind: 'checkbox' },
        { key: 'options', label: t('settings.options'), kind: 'text', readOnly: true, render: (r) => (r['options'] as string[] | undefined)?.join(', ') ?? '' },
      ]} />
  );
}
