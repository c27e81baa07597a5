// `touchpoint metadata export|apply|diff|plan`: metadata as code. Export writes the admin's layer; apply and
// diff take a desired state (or a change list), plan the difference to the live metadata and — for apply —
// make it in one transaction through the same change API the designer uses. The target is the CLI's own
// database or a running server (--server): one code path plans for both, so they cannot drift apart.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  describeChange,
  desiredEntities,
  desiredPermissions,
  type Engine,
  exportLayer,
  type LayerExport,
  type MetadataChange,
  type MigrationPlan,
  planChanges,
  planPermissionChanges,
  type WorkspaceLayers,
  workspaceLayers,
} from '@touchpoint/engine';
import { validationFailed } from '@touchpoint/schema';
import { readMetadataPath, writeMetadataFolder } from './metadata-files.ts';

/** Exit codes of the metadata commands (the CLI's own: see cli.ts). */
const OK = 0;
const CONFIRM = 4;

export interface MetadataCommandOptions {
  workspace: string;
  out?: string;
  confirmDestructive: boolean;
}

/** Where the metadata lives: the CLI's own database, or a running server reached over HTTP. */
export interface MetadataTarget {
  /** The core and plugin layers and the live entities, which a desired state is planned against. */
  layers(): Promise<WorkspaceLayers>;
  /** The admin's layer as the export writes it. */
  exported(): Promise<LayerExport>;
  /** The database steps of changes, planned dry: nothing is written. */
  plan(changes: MetadataChange[]): Promise<MigrationPlan>;
  apply(changes: MetadataChange[], confirmDestructive: boolean): Promise<{ applied: boolean; version: number }>;
}

/** The CLI's own database (DATABASE_URL or the embedded one). */
export function localTarget(engine: Engine, workspace: string): MetadataTarget {
  const layers = () => workspaceLayers(engine, workspace);
  return {
    layers,
    exported: async () => exportLayer(await layers()),
    plan: async (changes) =>
      (await engine.changeMetadata(workspace, changes, { actor: 'cli', dryRun: true, reason: 'metadata apply' })).plan,
    apply: (changes, confirmDestructive) =>
      engine.changeMetadata(workspace, changes, {
        actor: 'cli',
        channel: 'cli',
        confirmDestructive,
        reason: 'metadata apply',
      }),
  };
}

export function printPlan(plan: Pick<MigrationPlan, 'steps'>): void {
  if (plan.steps.length === 0) {
    console.log('Nothing to change in the database.');
    return;
  }
  for (const [i, step] of plan.steps.entries()) {
    console.log(`${String(i + 1).padStart(3)}. ${step.destructive ? '[DESTRUCTIVE] ' : ''}${step.description}`);
  }
}

export async function exportMetadata(target: MetadataTarget, options: MetadataCommandOptions): Promise<number> {
  const { text, documents } = await target.exported();
  const out = options.out;
  // A path ending in .yaml or .yml is one multi-document file; anything else is a folder.
  const isFolder = out !== undefined && !['.yaml', '.yml'].includes(extname(out));
  if (out === undefined) process.stdout.write(text);
  else if (isFolder) {
    const files = writeMetadataFolder(out, documents);
    console.log(`Wrote ${files.length} files to ${out} (entities/, permissions/).`);
  } else {
    writeFileSync(out, text);
    console.log(`Wrote ${documents.length} documents to ${out}.`);
  }
  return OK;
}

/**
 * `apply` (dryRun false) and `diff` / `plan` (dryRun true) of a desired state or a change list. The changes
 * are printed in words, then the database steps; a destructive step without `--confirm-destructive` stops
 * `apply` with nothing changed (exit 4) and makes `diff` answer 4 too, so a script sees what is pending.
 */
export async function applyMetadata(
  target: MetadataTarget,
  path: string,
  options: MetadataCommandOptions & { dryRun: boolean },
): Promise<number> {
  // The file is read before the target is asked anything: a bad file is refused without a connection.
  const read = readMetadataPath(path);
  let changes: MetadataChange[];
  if (read.format === 'changes') changes = read.changes;
  else {
    const { base, entities, basePermissions, permissions } = await target.layers();
    const desired = desiredEntities(base, read.documents);
    const roles = read.documents.filter((d) => d.kind === 'role' || d.kind === 'sharing');
    const desiredModel = desiredPermissions(basePermissions, roles);
    const unknown = [...desired.issues, ...desiredModel.issues];
    if (unknown.length > 0) throw validationFailed(`${path} does not describe this workspace:`, unknown);
    const planned = planChanges(base, entities, desired.entities);
    // Roles and sharing around the entity changes (renames first followed, see planPermissionChanges).
    const withPermissions = planPermissionChanges(
      entities,
      permissions,
      planned.changes,
      desiredModel.model,
      desired.entities,
    );
    const problems = [...planned.issues, ...withPermissions.issues];
    if (problems.length > 0) throw validationFailed(`${path} cannot be applied:`, problems);
    changes = withPermissions.changes;
    if (changes.length === 0) {
      console.log('Nothing to change: the workspace matches the file.');
      return OK;
    }
    console.log('Changes:');
    for (const change of changes) console.log(`  - ${describeChange(change)}`);
  }
  // A desired state is planned once more, dry, so diff and a refused apply print the same steps.
  const plan = await target.plan(changes);
  console.log('Database steps:');
  printPlan(plan);
  const pending = plan.destructive && !options.confirmDestructive;
  if (options.dryRun) {
    if (pending) console.log('Destructive steps: apply needs --confirm-destructive.');
    return pending ? CONFIRM : OK;
  }
  const result = await target.apply(changes, options.confirmDestructive);
  console.log(result.applied ? `Applied: version ${result.version}.` : 'Nothing to apply.');
  return OK;
}
