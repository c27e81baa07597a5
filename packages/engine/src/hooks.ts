// Extension points of the record service. Permissions, plugin hooks, workflows and audit plug in here
// without touching callers. Every hook defaults to doing nothing.
import type { EntityDefinition } from '@touchpoint/schema';
import type { RequestContext } from './records/service.ts';

export interface WriteHookArgs {
  context: RequestContext;
  entity: EntityDefinition;
  /** The record id (update, delete, restore). */
  id?: string;
  /** The validated values about to be written; a hook may change them. */
  values: Record<string, unknown>;
}

/** A hook may throw a TouchpointError (e.g. VALIDATION_FAILED with field issues, FORBIDDEN) to refuse. */
export interface RecordHook {
  name: string;
  beforeCreate?(args: WriteHookArgs): void | Promise<void>;
  beforeUpdate?(args: WriteHookArgs): void | Promise<void>;
  beforeDelete?(args: Omit<WriteHookArgs, 'values'>): void | Promise<void>;
}

export class RecordHooks {
  readonly #hooks: RecordHook[] = [];

  /** Whether any hook of this kind is registered (when none is, the values cannot change). */
  has(kind: 'beforeCreate' | 'beforeUpdate' | 'beforeDelete'): boolean {
    return this.#hooks.some((hook) => hook[kind] !== undefined);
  }

  register(hook: RecordHook): () => void {
    this.#hooks.push(hook);
    return () => {
      const index = this.#hooks.indexOf(hook);
      if (index >= 0) this.#hooks.splice(index, 1);
    };
  }

  async beforeCreate(args: WriteHookArgs): Promise<void> {
    for (const hook of this.#hooks) await hook.beforeCreate?.(args);
  }

  async beforeUpdate(args: WriteHookArgs): Promise<void> {
    for (const hook of this.#hooks) await hook.beforeUpdate?.(args);
  }

  async beforeDelete(args: Omit<WriteHookArgs, 'values'>): Promise<void> {
    for (const hook of this.#hooks) await hook.beforeDelete?.(args);
  }
}
