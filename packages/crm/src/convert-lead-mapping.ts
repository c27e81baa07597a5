// How a lead's values become the account, contact and opportunity it converts into: the default field
// mapping (target field ← lead field), the caller's changes to it, and the checks that each pair fits.
import { type EntityDefinition, type FieldDefinition, fieldType } from '@touchpoint/schema';
import type { CrmModel } from './model.ts';
import type { Checks } from './sql.ts';

export type ConvertTarget = 'account' | 'contact' | 'opportunity';
/** target field → lead field */
export type FieldMap = Record<string, string>;

export const DEFAULT_LEAD_MAPPING: Readonly<Record<ConvertTarget, Readonly<FieldMap>>> = {
  account: {
    name: 'company',
    industry: 'industry',
    employees: 'employees',
    annualRevenue: 'annualRevenue',
    website: 'website',
    phone: 'phone',
    country: 'country',
    province: 'province',
    city: 'city',
    district: 'district',
    street: 'street',
    postalCode: 'postalCode',
    source: 'source',
    sourceCampaign: 'campaign',
    owner: 'owner',
    partner: 'partner',
  },
  contact: {
    firstName: 'firstName',
    lastName: 'lastName',
    title: 'title',
    department: 'department',
    email: 'email',
    phone: 'phone',
    mobile: 'mobile',
    wechat: 'wechat',
    country: 'country',
    province: 'province',
    city: 'city',
    district: 'district',
    street: 'street',
    postalCode: 'postalCode',
    source: 'source',
    sourceCampaign: 'campaign',
    owner: 'owner',
  },
  opportunity: {
    source: 'source',
    campaign: 'campaign',
    owner: 'owner',
    partner: 'partner',
  },
};

/** Fields the conversion sets itself; a mapping may not write them. */
export const SET_BY_CONVERSION: Readonly<Record<ConvertTarget, readonly string[]>> = {
  account: [],
  contact: ['account'],
  opportunity: ['account', 'contact', 'pipeline', 'stage'],
};

const TEXT_TYPES = new Set(['text', 'longText', 'email', 'phone', 'url', 'select', 'autonumber']);

function fits(from: FieldDefinition, to: FieldDefinition): boolean {
  if (from.type === 'relation' || to.type === 'relation') {
    return (
      from.type === 'relation' &&
      to.type === 'relation' &&
      from.relation?.kind === 'manyToOne' &&
      to.relation?.kind === 'manyToOne' &&
      from.relation.target === to.relation.target
    );
  }
  if (from.type === to.type) return true;
  return (to.type === 'text' || to.type === 'longText') && TEXT_TYPES.has(from.type);
}

function writable(field: FieldDefinition): boolean {
  return fieldType(field).writable && !field.readOnly && field.relation?.kind !== 'manyToMany';
}

/**
 * The effective mapping per target: defaults whose fields this workspace has, changed by `changes`
 * (`{ contact: { wechat: 'imHandle', title: null } }` maps contact.wechat from lead.imHandle and drops
 * title). Problems go to `checks` with paths `fieldMapping.<target>.<field>`.
 */
export function resolveMapping(
  m: CrmModel,
  checks: Checks,
  changes: unknown,
): Record<ConvertTarget, { target: EntityDefinition; pairs: { to: FieldDefinition; from: FieldDefinition }[] }> {
  const lead = m.entity('lead')!;
  const result = {} as ReturnType<typeof resolveMapping>;
  if (changes != null && (typeof changes !== 'object' || Array.isArray(changes))) {
    checks.add('fieldMapping', 'must be an object { account?, contact?, opportunity? }', [
      'account',
      'contact',
      'opportunity',
    ]);
    changes = {};
  }
  const given = (changes ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!['account', 'contact', 'opportunity'].includes(key)) {
      checks.add(`fieldMapping.${key}`, 'is not a conversion target', ['account', 'contact', 'opportunity']);
    }
  }
  for (const targetName of ['account', 'contact', 'opportunity'] as const) {
    const target = m.entity(targetName);
    if (!target) continue;
    const mapping: Record<string, string | null> = {};
    for (const [to, from] of Object.entries(DEFAULT_LEAD_MAPPING[targetName])) {
      if (m.field(targetName, to) && m.field('lead', from))
        mapping[m.field(targetName, to)!.name] = m.field('lead', from)!.name;
    }
    const own = given[targetName];
    if (own != null && (typeof own !== 'object' || Array.isArray(own))) {
      checks.add(`fieldMapping.${targetName}`, 'must be an object { targetField: leadField or null }');
    } else {
      for (const [to, from] of Object.entries((own ?? {}) as Record<string, unknown>)) {
        const path = `fieldMapping.${targetName}.${to}`;
        const toField = target.fields.find((f) => f.name === to);
        if (!toField) {
          checks.add(
            path,
            `is not a field of ${target.name}`,
            target.fields.filter(writable).map((f) => f.name),
          );
          continue;
        }
        if (SET_BY_CONVERSION[targetName].includes(to)) {
          checks.add(path, `is set by the conversion itself and cannot be mapped`);
          continue;
        }
        if (!writable(toField)) {
          checks.add(path, `${target.name}.${to} is a ${toField.type} field and cannot be written`);
          continue;
        }
        if (from === null) {
          delete mapping[to];
          continue;
        }
        const fromField = typeof from === 'string' ? lead.fields.find((f) => f.name === from) : undefined;
        if (!fromField) {
          checks.add(
            path,
            `must name a lead field or be null, got ${JSON.stringify(from)}`,
            lead.fields.map((f) => f.name),
          );
          continue;
        }
        if (!fits(fromField, toField)) {
          checks.add(
            path,
            `lead.${fromField.name} (${fromField.type}) cannot fill ${target.name}.${to} (${toField.type})`,
          );
          continue;
        }
        mapping[to] = fromField.name;
      }
    }
    result[targetName] = {
      target,
      pairs: Object.entries(mapping)
        .filter((e): e is [string, string] => e[1] !== null)
        .map(([to, from]) => ({
          to: target.fields.find((f) => f.name === to)!,
          from: lead.fields.find((f) => f.name === from)!,
        })),
    };
  }
  return result;
}

/** The selection key of a lead field in a record read (`campaignId` for a relation). */
export function readKey(field: FieldDefinition): string {
  return field.type === 'relation' ? `${field.name}Id` : field.name;
}

/** Record-service input for a target from the lead's values; empty values and unknown options are left out. */
export function mappedValues(
  pairs: { to: FieldDefinition; from: FieldDefinition }[],
  lead: Record<string, unknown>,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { to, from } of pairs) {
    const value = lead[readKey(from)];
    if (value === null || value === undefined || value === '') continue;
    if (to.type === 'select' && !(to.options ?? []).some((o) => o.value === value)) continue;
    values[to.name] = value;
  }
  return values;
}
