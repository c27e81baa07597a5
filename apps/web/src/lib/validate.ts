// The same per-field checks the server runs (the field-type registry of @touchpoint/schema), so most
// mistakes are shown before a request is sent. The server still checks everything (uniqueness, hooks).
import { fieldType } from '@touchpoint/schema';
import type { Lang } from './api.ts';
import { messages } from './i18n.ts';
import { type EntityDefinition, fieldLabel, inputKey, isWritable, type Row, toInput } from './meta.ts';

function isEmpty(value: unknown): boolean {
  if (value == null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && 'amount' in (value as Row)) {
    const amount = (value as Row).amount;
    return amount == null || amount === '';
  }
  return false;
}

/** Errors by field name; empty when the values may be sent. `names` limits the check (an inline edit). */
export function validateValues(
  entity: EntityDefinition,
  values: Row,
  lang: Lang,
  names?: string[],
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of entity.fields) {
    if (!isWritable(field)) continue;
    if (names && !names.includes(field.name)) continue;
    const value = values[field.name];
    if (isEmpty(value)) {
      if (field.required && field.default === undefined) {
        errors[field.name] = `${fieldLabel(field, lang)} ${messages(lang).required}`;
      }
      continue;
    }
    const input = toInput(entity, { [field.name]: value }, [field.name])[inputKey(entity, field)];
    if (input == null) continue;
    const type = fieldType(field);
    const list = field.type === 'relation' && Array.isArray(input) ? input : [input];
    for (const item of field.type === 'relation' ? list : [input]) {
      const result = type.check(item, field);
      if (!result.ok) {
        errors[field.name] = result.message;
        break;
      }
    }
  }
  return errors;
}
