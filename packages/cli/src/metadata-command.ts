// `touchpoint metadata export|apply|diff|plan`: metadata as code. Export writes the admin's layer; apply and
// diff take a desired state (or a change list), plan the difference to the live metadata and — for apply —
// make it in one transaction through the same change API the designer uses.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Engine, MetadataChange, MigrationPlan } from '@touchpoint/engine';
import { validationFailed } from '@touchpoint/schema';
import { metadataText, readMetadataPath, writeMetadataFolder } from './metadata-files.ts';
import { adminLayer, describeChange, desiredEntities, planChanges } from './metadata-state.ts';

/** Exit codes of the metadata commands (the CLI's own: see cli.ts). */
const OK = 0;
const CONFIRM = 4;

export interface MetadataCommandOptions {
  workspace: string;
  out?: string;
  confirmDestructive: boolean;
}

export function printPlan(plan: MigrationPlan): void {
  if (plan.steps.length === 0) {
    console.log('Nothing to change in the database.');
    return;
  }
  for (const [i, step] of plan.steps.entries()) {
    console.log(`${String(i + 1).padStart(3)}. ${step.destructive ? '[DESTRUCTIVE] ' : ''}${step.description}`);
  }
}

/** The core and plugin layers of a workspace and the plugins they come from (`id@version`). */
async function baseOf(engine: Engine, workspace: string) {
  const ws = await engine.getWorkspace(workspace);
  const em = engine.db.orm.em.fork();
  const base = await engine.store.baseLayers(ws.id, em);
  const plugins = [
    ...new Set(
      base
        .flatMap((e) => [e.source, ...e.fields.map((f) => f.source)])
        .filter((s): s is string => s?.startsWith('plugin:') ?? false)
        .map((s) => s.slice('plugin:'.length)),
    ),
  ].sort();
  return { base, plugins };
}

export async function exportMetadata(engine: Engine, options: MetadataCommandOptions): Promise<number> {
  const { base, plugins } = await baseOf(engine, options.workspace);
  const { entities } = await engine.metadata(options.workspace);
  const layer = adminLayer(base, entities);
  const out = options.out;
  // A path ending in .yaml or .yml is one multi-document file; anything else is a folder.
  const isFolder = out !== undefined && !['.yaml', '.yml'].includes(extname(out));
  if (out === undefined) process.stdout.write(metadataText(layer, plugins));
  else if (isFolder) {
    const files = writeMetadataFolder(out, layer);
    console.log(`Wrote ${files.length} files to ${out}/entities.`);
  } else {
    writeFileSync(out, metadataText(layer, plugins));
    console.log(`Wrote ${layer.entities.length + layer.layers.length} documents to ${out}.`);
  }
  return OK;
}

/**
 * `apply` (dryRun false) and `diff` / `plan` (dryRun true) of a desired state or a change list. The changes
 * are printed in words, then the database steps; a destructive step without `--confirm-destructive` stops
 * `apply` with nothing changed (exit 4) and makes `diff` answer 4 too, so a script sees what is pending.
 */
export async function applyMetadata(
  engine: Engine,
  path: string,
  options: MetadataCommandOptions & { dryRun: boolean },
): Promise<number> {
  const read = readMetadataPath(path);
  let changes: MetadataChange[];
  if (read.format === 'changes') changes = read.changes;
  else {
    const { base } = await baseOf(engine, options.workspace);
    const desired = desiredEntities(base, read.documents);
    if (desired.issues.length > 0) throw validationFailed(`${path} does not describe this workspace:`, desired.issues);
    const { entities } = await engine.metadata(options.workspace);
    const planned = planChanges(base, entities, desired.entities);
    if (planned.issues.length > 0) throw validationFailed(`${path} cannot be applied:`, planned.issues);
    changes = planned.changes;
    if (changes.length === 0) {
      console.log('Nothing to change: the workspace matches the file.');
      return OK;
    }
    console.log('Changes:');
    for (const change of changes) console.log(`  - ${describeChange(change)}`);
  }
  // A desired state is planned once more, dry, so diff and a refused apply print the same steps.
  const planned = await engine.changeMetadata(options.workspace, changes, {
    actor: 'cli',
    dryRun: true,
    reason: 'metadata apply',
  });
  console.log('Database steps:');
  printPlan(planned.plan);
  const pending = planned.plan.destructive && !options.confirmDestructive;
  if (options.dryRun) {
    if (pending) console.log('Destructive steps: apply needs --confirm-destructive.');
    return pending ? CONFIRM : OK;
  }
  const result = await engine.changeMetadata(options.workspace, changes, {
    actor: 'cli',
    channel: 'cli',
    confirmDestructive: options.confirmDestructive,
    reason: 'metadata apply',
  });
  console.log(result.applied ? `Applied: version ${result.version}.` : 'Nothing to apply.');
  return OK;
}
