// What restore and purge changes name: archives of the workspace, resolved before planning. A restore is
// filled with what its archive holds (so it replays without the archive table); a purge must name an
// archive that is still there; either answers NOT_FOUND, saying when, for an archive that was purged.
import type { FieldDefinition } from '@touchpoint/schema';
import { TouchpointError, validationFailed } from '@touchpoint/schema';
import type { ArchiveRow } from '../system-entities.ts';
import type { MetadataChange } from './changes.ts';

/** One archive of the workspace whatever became of it (restored, purged), or null. */
export type FindArchive = (id: number) => Promise<ArchiveRow | null>;

/**
 * Why an archive a restore or purge names is not there when it was purged: NOT_FOUND, saying when (its data
 * is gone). Null otherwise (never was, or restored: the callers' own answers).
 */
async function gone(find: FindArchive, id: number, path: string): Promise<TouchpointError | null> {
  const row = await find(id);
  if (row?.purgedAt) {
    return new TouchpointError(
      'NOT_FOUND',
      `Archive ${id} was purged in version ${row.purgedVersion}: its data was deleted for good and cannot be restored.`,
      {
        details: { archiveId: id, purgedVersion: row.purgedVersion },
        issues: [
          {
            path,
            message: `archive ${id} was purged in version ${row.purgedVersion}; metadataArchives lists what can be restored`,
          },
        ],
      },
    );
  }
  return null;
}

/** The archives `purgeArchive` changes name; each must exist, once, and not be restored by the same change. */
export async function resolvePurges(
  changes: MetadataChange[],
  archives: ArchiveRow[],
  find: FindArchive,
): Promise<ArchiveRow[]> {
  const purges: ArchiveRow[] = [];
  for (const [index, change] of changes.entries()) {
    if (change.op !== 'purgeArchive') continue;
    const path = `changes[${index}].archiveId`;
    const archive = archives.find((a) => a.id === change.archiveId);
    if (!archive) {
      throw (
        (await gone(find, change.archiveId, path)) ??
        new TouchpointError('NOT_FOUND', `There is no archive ${change.archiveId} to purge.`, {
          issues: [{ path, message: `no archive with id ${change.archiveId}; metadataArchives lists them` }],
        })
      );
    }
    const restored = changes.some(
      (c) => (c.op === 'restoreField' || c.op === 'restoreEntity') && c.archiveId === change.archiveId,
    );
    if (restored || purges.includes(archive)) {
      throw validationFailed('The metadata change cannot be applied:', [
        {
          path,
          message: restored
            ? `archive ${change.archiveId} is restored by the same change; it cannot also be purged`
            : `archive ${change.archiveId} is purged twice in the same change`,
        },
      ]);
    }
    purges.push(archive);
  }
  return purges;
}

/** Fills restore changes with what the archive holds, so they replay without the archive table. */
export async function resolveRestores(
  changes: MetadataChange[],
  archives: ArchiveRow[],
  find: FindArchive,
): Promise<MetadataChange[]> {
  const resolved: MetadataChange[] = [];
  for (const [index, change] of changes.entries()) {
    if (change.op !== 'restoreField' && change.op !== 'restoreEntity') {
      resolved.push(change);
      continue;
    }
    const archive = archives.find((a) => a.id === change.archiveId);
    if (!archive) {
      const purged = await gone(find, change.archiveId, `changes[${index}].archiveId`);
      if (purged) throw purged;
    }
    resolved.push(resolveRestore(change, index, archive));
  }
  return resolved;
}

function resolveRestore(
  change: Extract<MetadataChange, { op: 'restoreField' | 'restoreEntity' }>,
  index: number,
  archive: ArchiveRow | undefined,
): MetadataChange {
  const wanted = change.op === 'restoreField' ? 'field' : 'entity';
  if (!archive || archive.kind !== wanted) {
    throw validationFailed('The metadata change cannot be applied:', [
      {
        path: `changes[${index}].archiveId`,
        message: `no restorable ${wanted} archive with id ${change.archiveId}`,
      },
    ]);
  }
  if (change.op === 'restoreEntity') return { ...change, definition: archive.definition as never };
  const definition = isTypeChangeCopy(archive) ? typeChangeCopyField(archive) : (archive.definition as FieldDefinition);
  return { ...change, entityId: archive.entityId, definition };
}

/** The copy of a field's old values that a narrowing type change keeps (its field id is `<id>@v<version>`). */
function isTypeChangeCopy(archive: ArchiveRow): boolean {
  return archive.kind === 'field' && /@v\d+$/.test(archive.fieldId ?? '');
}

/** The name of the field or entity restoring an archive brings back. */
export function archiveRestoresAs(archive: ArchiveRow): string {
  const name = (archive.definition as { name?: string }).name ?? '';
  return isTypeChangeCopy(archive) ? `${name}BeforeV${archive.version}` : name;
}

/**
 * A type-change copy comes back as a field of its own beside the narrowed one — `<name>BeforeV<version>`, of
 * the old type, holding every record's value from before the change — never over the narrowed field: its
 * values may have been edited since, and the copy's values may not fit its type. The admin compares and
 * moves values as they see fit, then removes the copy. Rules that would refuse existing records (required,
 * unique, a default) and a relation's inverse (the narrowed field may own that name) are left out.
 */
function typeChangeCopyField(archive: ArchiveRow): FieldDefinition {
  const old = archive.definition as FieldDefinition;
  const { required: _r, unique: _u, default: _d, ...rest } = old;
  return {
    ...rest,
    id: archive.fieldId!,
    name: archiveRestoresAs(archive),
    labels: {
      en: `${old.labels.en} (before v${archive.version})`,
      'zh-CN': `${old.labels['zh-CN']}（v${archive.version} 之前）`,
    },
    ...(old.relation ? { relation: { ...old.relation, inverse: undefined, inverseLabels: undefined } } : {}),
  };
}
