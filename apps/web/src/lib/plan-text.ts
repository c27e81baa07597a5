// Migration plan steps and metadata history entries in the user's language. The server sends each step as
// a code with parameters (engine `migration/step-text.ts`) next to its English sentence; the sentence is
// only used for steps without a code (versions recorded before codes existed) or with a code unknown here.
import type { Lang } from './api.ts';
import { typeLabel } from './i18n.ts';
import { permissionMessages } from './i18n-permissions.ts';
import type { EntityDefinition } from './meta.ts';

type Labels = { en?: string; 'zh-CN'?: string };

export interface PlanStep {
  code?: string | null;
  params?: Record<string, unknown> | null;
  description: string;
  destructive: boolean;
}

/** The GraphQL selection of a step, for the plan dialog and the history. */
export const STEP_FIELDS = 'code params description destructive';

interface Words {
  e: string;
  f: string;
  ef: string;
  target: string;
  from: string;
  fromType: string;
  type: string;
  n: number;
  p: Record<string, unknown>;
}

const label = (labels: unknown, lang: Lang, fallback: string): string => {
  const l = (labels ?? {}) as Labels;
  return (lang === 'zh-CN' ? l['zh-CN'] : l.en) || l.en || fallback;
};

const list = (items: unknown, lang: Lang) => ((items ?? []) as string[]).join(lang === 'zh-CN' ? '、' : ', ');

const PURPOSES: Record<string, string> = {
  key: '按规范化号码查找（来电识别）',
  digits: '按号码片段搜索',
  trgm: '子串搜索',
  bigram: '两字词的子串搜索',
};

const EN: Record<string, (w: Words) => string> = {
  createTable: (w) => `Create the table for the new entity "${w.e}" with ${w.p.fieldCount} field(s).`,
  renameTable: (w) => `Rename the entity "${w.from}" to "${w.e}"; its records stay as they are.`,
  restoreTable: (w) => `Restore the archived entity "${w.e}" with all its records.`,
  archiveTable: (w) =>
    `Remove the entity "${w.e}" and its ${w.n} record(s) from use; the table is archived as "${w.p.archivedAs}" and can be restored.`,
  addField: (w) => `Add the ${w.type} field "${w.f}" to "${w.e}".`,
  addFieldWithDefault: (w) => `Add the ${w.type} field "${w.f}" to "${w.e}". Existing records get the default value.`,
  addRequiredFieldToFilledTable: (w) =>
    `Add the ${w.type} field "${w.f}" to "${w.e}". ${w.n} existing record(s) will have no value for this required field until someone fills it in.`,
  linkManyToMany: (w) => `Link "${w.e}" and "${w.target}" many-to-many through "${w.f}".`,
  addReference: (w) => `Make "${w.ef}" a reference to "${w.target}" records.`,
  renameField: (w) => `Rename the field "${w.e} · ${w.from}" to "${w.f}"; its values stay.`,
  restoreField: (w) => `Restore the archived field "${w.ef}" with its values.`,
  archiveField: (w) =>
    `Remove the field "${w.ef}". Its values (${w.n} record(s) have one) are archived and can be restored.`,
  removeFieldStoringNothing: (w) => `Remove the field "${w.ef}". It stores nothing, so nothing is archived.`,
  changeTypeArchivingValues: (w) =>
    `Change "${w.ef}" from ${w.fromType} to ${w.type}. The old values cannot be converted: they are archived and the field starts empty.`,
  changeTypeWidening: (w) => `Change "${w.ef}" from ${w.fromType} to ${w.type}; every value converts without loss.`,
  changeTypeNarrowing: (w) =>
    `Change "${w.ef}" from ${w.fromType} to ${w.type}. Values may be rounded or refused; a copy of the old values is archived.`,
  changeTypeKeepingValues: (w) => `Change "${w.ef}" from ${w.fromType} to ${w.type}; stored values stay as they are.`,
  changeTypeInvalidValues: (w) =>
    `Change "${w.ef}" from ${w.fromType} to ${w.type}. ${w.n} record(s) hold values the new type does not accept; they stay stored and must be corrected on their next edit.`,
  makeRequired: (w) => `Make "${w.ef}" required; every record already has a value.`,
  makeRequiredWithEmptyValues: (w) =>
    `Make "${w.ef}" required. ${w.n} record(s) have no value; they keep working but must be completed on their next edit.`,
  addUnique: (w) => `Require "${w.ef}" to be unique among live records.`,
  dropUnique: (w) => `Allow the same value of "${w.ef}" in several records.`,
  removeOptions: (w) =>
    `Remove the option(s) ${w.p.options} of "${w.ef}".${w.n > 0 ? ` ${w.n} record(s) use them; their values stay stored and must be changed on their next edit.` : ''}`,
  limitLength: (w) =>
    `Limit "${w.ef}" to ${w.p.maxLength} characters. ${w.n} record(s) are longer; they stay stored and must be shortened on their next edit.`,
  addIndex: (w) => `Add ${w.p.unique ? 'a unique' : 'an'} index on "${w.e}" (${w.p.fields}).`,
  dropIndex: (w) => `Drop the index on "${w.e}" (${w.p.fields}).`,
  addSortIndex: (w) => `Index the default order of "${w.e}" (${w.p.fields}).`,
  dropSortIndex: (w) => `Drop the index of the former default order of "${w.e}".`,
  addDerivedIndex: (w) => `Index "${w.ef}" for ${w.p.purpose}.`,
  dropDerivedIndex: (w) => `Drop the index "${w.p.index}" of "${w.e}", which no field needs any more.`,
  purgeArchivedField: (w) =>
    `Delete for good the values of the field "${w.ef}" archived in version ${w.p.archivedIn} ("${w.p.archivedAs}"; ${w.n} record(s) have one). They can no longer be restored.`,
  purgeArchivedTable: (w) =>
    `Delete for good the entity "${w.e}" archived in version ${w.p.archivedIn} (table "${w.p.archivedAs}") and its ${w.n} record(s). It can no longer be restored.`,
};

const ZH: Record<string, (w: Words) => string> = {
  createTable: (w) => `为新实体“${w.e}”创建数据表，包含 ${w.p.fieldCount} 个字段。`,
  renameTable: (w) => `将实体“${w.from}”重命名为“${w.e}”；其记录保持不变。`,
  restoreTable: (w) => `恢复已归档的实体“${w.e}”及其全部记录。`,
  archiveTable: (w) => `停用实体“${w.e}”及其 ${w.n} 条记录；数据表归档为“${w.p.archivedAs}”，可以恢复。`,
  addField: (w) => `为“${w.e}”添加${w.type}字段“${w.f}”。`,
  addFieldWithDefault: (w) => `为“${w.e}”添加${w.type}字段“${w.f}”。现有记录将获得默认值。`,
  addRequiredFieldToFilledTable: (w) =>
    `为“${w.e}”添加${w.type}字段“${w.f}”。${w.n} 条现有记录在有人填写之前，这个必填字段都没有值。`,
  linkManyToMany: (w) => `通过“${w.f}”在“${w.e}”和“${w.target}”之间建立多对多关联。`,
  addReference: (w) => `使“${w.ef}”引用“${w.target}”记录。`,
  renameField: (w) => `将字段“${w.e} · ${w.from}”重命名为“${w.f}”；其值保持不变。`,
  restoreField: (w) => `恢复已归档的字段“${w.ef}”及其值。`,
  archiveField: (w) => `移除字段“${w.ef}”。其值（${w.n} 条记录有值）将被归档，可以恢复。`,
  removeFieldStoringNothing: (w) => `移除字段“${w.ef}”。该字段不存储数据，无需归档。`,
  changeTypeArchivingValues: (w) =>
    `将“${w.ef}”的类型从${w.fromType}改为${w.type}。旧值无法转换：它们将被归档，字段从空值开始。`,
  changeTypeWidening: (w) => `将“${w.ef}”的类型从${w.fromType}改为${w.type}；所有值都能无损转换。`,
  changeTypeNarrowing: (w) => `将“${w.ef}”的类型从${w.fromType}改为${w.type}。值可能被舍入或拒绝；旧值的副本将被归档。`,
  changeTypeKeepingValues: (w) => `将“${w.ef}”的类型从${w.fromType}改为${w.type}；已存储的值保持不变。`,
  changeTypeInvalidValues: (w) =>
    `将“${w.ef}”的类型从${w.fromType}改为${w.type}。${w.n} 条记录的值不符合新类型；这些值仍会保留，需在下次编辑时更正。`,
  makeRequired: (w) => `将“${w.ef}”设为必填；所有记录都已有值。`,
  makeRequiredWithEmptyValues: (w) => `将“${w.ef}”设为必填。${w.n} 条记录没有值；它们仍可使用，但需在下次编辑时补全。`,
  addUnique: (w) => `要求“${w.ef}”在有效记录中唯一。`,
  dropUnique: (w) => `允许多条记录的“${w.ef}”取相同的值。`,
  removeOptions: (w) =>
    `移除“${w.ef}”的选项 ${w.p.options}。${w.n > 0 ? `${w.n} 条记录使用了这些选项；其值仍会保留，需在下次编辑时修改。` : ''}`,
  limitLength: (w) =>
    `将“${w.ef}”限制为 ${w.p.maxLength} 个字符。${w.n} 条记录超出长度；其值仍会保留，需在下次编辑时缩短。`,
  addIndex: (w) => `为“${w.e}”添加${w.p.unique ? '唯一' : ''}索引（${w.p.fields}）。`,
  dropIndex: (w) => `删除“${w.e}”上的索引（${w.p.fields}）。`,
  addSortIndex: (w) => `为“${w.e}”的默认排序建立索引（${w.p.fields}）。`,
  dropSortIndex: (w) => `删除“${w.e}”原默认排序的索引。`,
  addDerivedIndex: (w) => `为“${w.ef}”建立索引，用于${w.p.purpose}。`,
  dropDerivedIndex: (w) => `删除“${w.e}”上不再需要的索引“${w.p.index}”。`,
  purgeArchivedField: (w) =>
    `永久删除字段“${w.ef}”在版本 ${w.p.archivedIn} 中归档的值（“${w.p.archivedAs}”；${w.n} 条记录有值）。删除后无法恢复。`,
  purgeArchivedTable: (w) =>
    `永久删除在版本 ${w.p.archivedIn} 中归档的实体“${w.e}”（数据表“${w.p.archivedAs}”）及其 ${w.n} 条记录。删除后无法恢复。`,
};

/**
 * A step in the user's language, with labels for API names. `entities` (the live metadata) names the
 * fields of index steps and the options of a select field, which the step carries as API names.
 */
export function stepText(step: PlanStep, lang: Lang, entities: EntityDefinition[] = []): string {
  const template = step.code ? (lang === 'zh-CN' ? ZH : EN)[step.code] : undefined;
  if (!template || !step.params) return step.description;
  const p = step.params;
  const entityName = String(p.entity ?? '');
  const live = entities.find((e) => e.name === entityName);
  const fieldOf = (name: string) => live?.fields.find((f) => f.name === name);
  const fieldName = (name: string) => {
    const f = fieldOf(name);
    return f ? label(f.labels, lang, name) : name;
  };
  const e = label(p.entityLabels, lang, entityName);
  const f = label(p.fieldLabels, lang, String(p.field ?? ''));
  const asc = lang === 'zh-CN' ? { asc: '升序', desc: '降序' } : { asc: 'ascending', desc: 'descending' };
  const fields = ((p.fields ?? []) as string[]).map((item) => {
    const [name, direction] = item.split(' ') as [string, 'asc' | 'desc' | undefined];
    return direction ? `${fieldName(name)} ${asc[direction]}` : fieldName(name);
  });
  const options = ((p.options ?? []) as string[]).map((value) => {
    const option = fieldOf(String(p.field ?? ''))?.options?.find((o) => o.value === value);
    return option ? label(option.labels, lang, value) : value;
  });
  const purpose = lang === 'zh-CN' ? (PURPOSES[String(p.index)] ?? String(p.purpose ?? '')) : String(p.purpose ?? '');
  const words: Words = {
    e,
    f,
    ef: `${e} · ${f}`,
    target: label(p.targetLabels, lang, String(p.target ?? '')),
    from: String(p.from ?? ''),
    fromType: typeLabel(String(p.fromType ?? ''), lang),
    type: typeLabel(String(p.type ?? ''), lang),
    n: Number(p.count ?? 0),
    p: { ...p, fields: list(fields, lang), options: list(options, lang), purpose },
  };
  return template(words);
}

const PROPERTIES: Record<string, [string, string]> = {
  name: ['API name', 'API 名称'],
  labels: ['labels', '标签'],
  pluralLabels: ['plural labels', '复数标签'],
  type: ['type', '类型'],
  required: ['required', '必填'],
  unique: ['unique', '唯一'],
  options: ['options', '选项'],
  views: ['layout', '布局'],
  helpText: ['help text', '帮助文本'],
  maxLength: ['maximum length', '最大长度'],
  min: ['minimum', '最小值'],
  max: ['maximum', '最大值'],
  default: ['default value', '默认值'],
  relation: ['relation', '关联'],
  formula: ['formula', '公式'],
  rollup: ['roll-up', '汇总'],
  titleField: ['title field', '标题字段'],
  defaultSort: ['default order', '默认排序'],
  indexes: ['indexes', '索引'],
  description: ['description', '说明'],
  currencyCode: ['currency', '货币'],
  autonumber: ['auto number', '自动编号'],
};

const ROLE_PROPERTIES: Record<string, [string, string]> = {
  labels: ['labels', '标签'],
  description: ['description', '说明'],
  reportsTo: ['place in the hierarchy', '上级角色'],
  system: ['administration', '管理权限'],
  objects: ['object access', '对象权限'],
  fields: ['field access', '字段权限'],
  partner: ['partner role', '合作伙伴角色'],
};

function roleKeys(patch: unknown, zh: boolean): string {
  return Object.keys((patch as object) ?? {})
    .map((k) => ROLE_PROPERTIES[k]?.[zh ? 1 : 0] ?? k)
    .join(zh ? '、' : ', ');
}

/**
 * One line per change an admin made in a version, with the labels of what it changed: from the change, the
 * live metadata, or the version's steps (a removed field is no longer in the live metadata).
 */
export function changeText(
  change: Record<string, unknown>,
  lang: Lang,
  entities: EntityDefinition[] = [],
  steps: PlanStep[] = [],
  roles: readonly { name: string; labels?: Labels }[] = [],
): string {
  const zh = lang === 'zh-CN';
  const roleName = (name: unknown) => label(roles.find((r) => r.name === name)?.labels, lang, String(name ?? ''));
  const entityRef = change.entity as { name?: string; labels?: Labels } | string | undefined;
  const entityName = typeof entityRef === 'object' ? String(entityRef?.name ?? '') : String(entityRef ?? '');
  const live = entities.find((e) => e.name === entityName);
  const e = label(typeof entityRef === 'object' ? entityRef?.labels : live?.labels, lang, entityName);
  const fieldRef = change.field as { name?: string; labels?: Labels } | string | undefined;
  const fieldName = typeof fieldRef === 'object' ? String(fieldRef?.name ?? '') : String(fieldRef ?? '');
  const liveField = live?.fields.find((f) => f.name === fieldName);
  const stepLabels = steps.find((s) => s.params?.entity === entityName && s.params?.field === fieldName)?.params
    ?.fieldLabels;
  const f = label(typeof fieldRef === 'object' ? fieldRef?.labels : (liveField?.labels ?? stepLabels), lang, fieldName);
  const keys = Object.keys((change.patch as object) ?? {})
    .map((k) => PROPERTIES[k]?.[zh ? 1 : 0] ?? k)
    .join(zh ? '、' : ', ');
  switch (change.op) {
    case 'createEntity':
      return zh ? `新建实体“${e}”` : `Created the entity "${e}"`;
    case 'updateEntity':
      return zh ? `修改实体“${e}”（${keys}）` : `Changed the entity "${e}" (${keys})`;
    case 'removeEntity':
      return zh ? `移除实体“${e}”` : `Removed the entity "${e}"`;
    case 'restoreEntity':
      return zh ? `恢复实体“${e}”` : `Restored the entity "${e}"`;
    case 'addField':
      return zh ? `为“${e}”添加字段“${f}”` : `Added the field "${f}" to "${e}"`;
    case 'updateField':
      return zh ? `修改字段“${e} · ${f}”（${keys}）` : `Changed the field "${e} · ${f}" (${keys})`;
    case 'removeField':
      return zh ? `移除字段“${e} · ${f}”` : `Removed the field "${e} · ${f}"`;
    case 'restoreField':
      return zh ? `恢复“${e}”的字段` : `Restored a field of "${e}"`;
    case 'createRole':
    case 'updateRole':
    case 'removeRole': {
      const role = change.role as { name?: string; labels?: Labels } | string | undefined;
      const r = typeof role === 'object' ? label(role?.labels, lang, String(role?.name ?? '')) : roleName(role);
      if (change.op === 'createRole') return zh ? `新建角色“${r}”` : `Created the role "${r}"`;
      if (change.op === 'removeRole') return zh ? `删除角色“${r}”` : `Removed the role "${r}"`;
      return zh
        ? `修改角色“${r}”（${roleKeys(change.patch, zh)}）`
        : `Changed the role "${r}" (${roleKeys(change.patch, zh)})`;
    }
    case 'setEntitySharing': {
      const sharing = (change.sharing ?? {}) as { default?: string; parent?: string };
      const words = permissionMessages(lang).defaults;
      if (!sharing.default) return zh ? `设置“${e}”的共享方式` : `Set the sharing of "${e}"`;
      const how = words[sharing.default] ?? sharing.default;
      const parentField = live?.fields.find((x) => x.name === sharing.parent);
      const parent = sharing.parent ? ` (${label(parentField?.labels, lang, sharing.parent)})` : '';
      return zh
        ? `将“${e}”的组织范围默认设置设为${how}${parent}`
        : `Set the organisation-wide default of "${e}" to ${how}${parent}`;
    }
    case 'addSharingRule':
    case 'updateSharingRule':
    case 'removeSharingRule': {
      const rule = change.rule as { name?: string; labels?: Labels } | string | undefined;
      const r = typeof rule === 'object' ? label(rule?.labels, lang, String(rule?.name ?? '')) : String(rule ?? '');
      if (change.op === 'addSharingRule' && typeof rule === 'object') {
        const of = entities.find((x) => x.name === (rule as { entity?: string }).entity);
        const words = permissionMessages(lang);
        const shared = rule as { entity?: string; role?: string; access?: string };
        const access = words.access[String(shared.access)] ?? String(shared.access ?? '');
        const what = label(of?.pluralLabels ?? of?.labels, lang, String(shared.entity ?? ''));
        return zh
          ? `添加共享规则“${r}”：符合条件的${what}以${access}权限共享给角色“${roleName(shared.role)}”及其上级角色`
          : `Added the sharing rule "${r}": matching ${what} are shared ${access.toLowerCase()} with the role "${roleName(shared.role)}" and the roles above it`;
      }
      if (change.op === 'addSharingRule') return zh ? `添加共享规则“${r}”` : `Added the sharing rule "${r}"`;
      if (change.op === 'removeSharingRule') return zh ? `删除共享规则“${r}”` : `Removed the sharing rule "${r}"`;
      return zh ? `修改共享规则“${r}”` : `Changed the sharing rule "${r}"`;
    }
    case 'purgeArchive':
      return zh ? `永久删除归档 ${String(change.archiveId)}` : `Purged the archive ${String(change.archiveId)}`;
    default:
      return zh ? `变更（${String(change.op)}）` : `Change (${String(change.op)})`;
  }
}
