// How the navigation groups the entities. Core CRM entities have a home; anything an admin or a plugin adds
// appears under "Custom" at once.
import type { Lang } from './api.ts';
import type { EntityDefinition } from './meta.ts';

const GROUPS: { key: string; en: string; zh: string; entities: string[] }[] = [
  {
    key: 'sales',
    en: 'Sales',
    zh: '销售',
    entities: ['account', 'contact', 'lead', 'opportunity', 'quote', 'order', 'partner'],
  },
  {
    key: 'service',
    en: 'Service',
    zh: '服务',
    entities: ['case', 'task', 'interaction', 'knowledgeArticle', 'surveyResponse'],
  },
  { key: 'marketing', en: 'Marketing', zh: '市场', entities: ['campaign', 'campaignMember', 'segment', 'survey'] },
  { key: 'catalog', en: 'Catalog', zh: '产品目录', entities: ['product', 'priceBook', 'pipeline'] },
  { key: 'organisation', en: 'Organisation', zh: '组织', entities: ['user', 'team', 'territory'] },
];

/** Entities that only make sense inside their parent's record page; reachable by URL, not listed. */
const DETAIL_ONLY = new Set([
  'caseStatusChange',
  'opportunityStageChange',
  'opportunityLine',
  'opportunityContact',
  'opportunityCompetitor',
  'competitor',
  'quoteLine',
  'orderLine',
  'deliverySchedule',
  'paymentSchedule',
  'pipelineStage',
  'priceBookEntry',
  'surveyDimension',
  'surveyScore',
  'savedView',
  'userPreference',
]);

export interface NavGroup {
  key: string;
  label: string;
  entities: EntityDefinition[];
}

export function navGroups(entities: EntityDefinition[], lang: Lang): NavGroup[] {
  const byName = new Map(entities.map((e) => [e.name, e]));
  const placed = new Set<string>();
  const groups: NavGroup[] = GROUPS.map((g) => ({
    key: g.key,
    label: lang === 'zh-CN' ? g.zh : g.en,
    entities: g.entities.flatMap((n) => {
      const e = byName.get(n);
      if (!e) return [];
      placed.add(n);
      return [e];
    }),
  }));
  const custom = entities.filter((e) => !placed.has(e.name) && !DETAIL_ONLY.has(e.name));
  if (custom.length > 0)
    groups.push({ key: 'custom', label: lang === 'zh-CN' ? '自定义' : 'Custom', entities: custom });
  return groups.filter((g) => g.entities.length > 0);
}
