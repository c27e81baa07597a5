// The in-process record event bus. Events are published after the transaction that caused them commits,
// so a subscriber never sees a change that was rolled back.
//
//   const unsubscribe = engine.events.subscribe('record.updated', (event) => { ... });
//   engine.events.subscribe('*', handler, { entity: 'case' });   // every event of one entity
//
// Handlers run in order of subscription; one throwing is logged and does not stop the others or the write.

export type RecordEventType = 'record.created' | 'record.updated' | 'record.deleted' | 'record.restored';

export interface RecordEvent {
  type: RecordEventType;
  workspace: string;
  entity: string;
  id: string;
  actor: string;
  /** Record version after the change. */
  version: number;
  /** Fields whose value changed (all given fields on create). */
  changed: string[];
  at: string;
  /** The write brought its own history (`RequestContext.ownHistory`): derive none from it. */
  ownHistory?: boolean;
  /** The effect chain of the context that wrote (`RequestContext.effects`), when it had one. */
  effects?: object;
}

export type RecordEventHandler = (event: RecordEvent) => void | Promise<void>;

interface Subscription {
  type: RecordEventType | '*';
  entity?: string;
  workspace?: string;
  handler: RecordEventHandler;
}

export class RecordEventBus {
  readonly #subscriptions = new Set<Subscription>();

  /** Subscribes to one event type or `*`, optionally only for one entity or workspace. */
  subscribe(
    type: RecordEventType | '*',
    handler: RecordEventHandler,
    filter: { entity?: string; workspace?: string } = {},
  ): () => void {
    const subscription = { type, handler, ...filter };
    this.#subscriptions.add(subscription);
    return () => this.#subscriptions.delete(subscription);
  }

  async publish(events: RecordEvent[]): Promise<void> {
    for (const event of events) {
      for (const s of this.#subscriptions) {
        if (s.type !== '*' && s.type !== event.type) continue;
        if (s.entity && s.entity !== event.entity) continue;
        if (s.workspace && s.workspace !== event.workspace) continue;
        try {
          await s.handler(event);
        } catch (error) {
          console.error(
            `[touchpoint] record event handler failed for ${event.type} ${event.entity}/${event.id}:`,
            error,
          );
        }
      }
    }
  }
}
