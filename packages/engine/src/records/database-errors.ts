// PostgreSQL's refusals, translated into errors that name the field. Checks before writing catch most
// problems with friendlier words; this is the net for races (two requests inserting the same value).
import type { EntityDefinition } from '@touchpoint/schema';
import { TouchpointError, validationFailed } from '@touchpoint/schema';
import { fieldColumns } from '../physical.ts';

interface PgError {
  code?: string;
  detail?: string;
  column?: string;
  message: string;
}

function fieldOfColumn(entity: EntityDefinition, column: string | undefined): string {
  if (!column) return 'input';
  const field = entity.fields.find((f) => fieldColumns(f).some((c) => c.name === column));
  return field?.name ?? column;
}

export function mapDatabaseError(error: unknown, entity: EntityDefinition, path: string): unknown {
  if (error instanceof TouchpointError || typeof error !== 'object' || error === null) return error;
  const pg = error as PgError;
  const keyColumn = /Key \(([^)]+)\)/
    .exec(pg.detail ?? '')?.[1]
    ?.split(',')[0]
    ?.trim()
    .replaceAll('"', '');
  switch (pg.code) {
    case '23505':
      if (path === 'restore') {
        return new TouchpointError(
          'CONFLICT',
          `The ${entity.name} cannot be restored: another live record now has the same ${fieldOfColumn(entity, keyColumn)}.`,
        );
      }
      return validationFailed(`The ${entity.name} breaks a uniqueness rule:`, [
        {
          path: `${path}.${fieldOfColumn(entity, keyColumn)}`,
          message: 'another record already has this value; it must be unique',
        },
      ]);
    case '23503':
      return validationFailed(`The ${entity.name} refers to a record that does not exist:`, [
        { path: `${path}.${fieldOfColumn(entity, keyColumn)}`, message: 'refers to a record that does not exist' },
      ]);
    case '22001':
    case '22003':
    case '22P02':
    case '22007':
    case '22008':
      return validationFailed(`The ${entity.name} has a value the database refused:`, [
        { path: `${path}.${fieldOfColumn(entity, pg.column)}`, message: pg.message },
      ]);
    default:
      return error;
  }
}
