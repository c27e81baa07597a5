// A plugin's fair share of the host: at most `hostCallConcurrency` of its host calls run at once (across
// all its calls in a workspace), the rest wait in one FIFO queue, at most `hostCallQueue` of them per hook
// or action call. When a call ends — finished, failed, timed out, aborted — its waiting host calls are
// refused without running. A thousand parallel `records.list` thus hold at most a few database connections,
// and stop with the call that started them.
//
// Nesting would deadlock a plain semaphore: a host call holding a slot writes a record, the write runs a
// before-hook of a plugin, and that hook's host calls wait for a slot held by the write waiting for them.
// So a host call lends its slot, one host call at a time, to the calls started while it runs (its "lane",
// carried in AsyncLocalStorage through the engine to the nested `runHook`). The lender waits for them, so
// per slot one statement is at work at a time. A lane closes when its host call ends; host calls still
// coming along it (an after-hook started by the write, not awaited by it) then take the plugin's own slots.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TouchpointError } from '@touchpoint/schema';

/** The slot of a running host call, lent to the calls started while it runs. */
export interface Lane {
  open: boolean;
  busy: boolean;
  waiters: Waiter[];
}

/** The host calls of one hook or action call, as the gate tracks them. */
export interface Invocation {
  /** The slot of the host call this call was started in, if any (nested calls borrow it). */
  lane: Lane | undefined;
  /** Its host calls waiting now. */
  waiting: Set<Waiter>;
  /** Why it ended: its waiting and later host calls are refused with this. */
  ended?: TouchpointError;
  /** Aborted when it ends; passed to the host functions as `HostCall.signal`. */
  controller: AbortController;
}

interface Waiter {
  gate: HostCallGate;
  invocation: Invocation;
  grant(slot: Slot): void;
  refuse(error: TouchpointError): void;
}

/** A granted host call: run its work with `run`, then `release` (always). */
export interface Slot {
  run<T>(work: () => Promise<T>): Promise<T>;
  release(): void;
}

const lanes = new AsyncLocalStorage<Lane>();

/** The lane of the host call the current code runs in (read when a hook or action call starts). */
export function currentLane(): Lane | undefined {
  return lanes.getStore();
}

export function newInvocation(): Invocation {
  return { lane: currentLane(), waiting: new Set(), controller: new AbortController() };
}

export interface GateLimits {
  hostCallConcurrency: number;
  hostCallQueue: number;
}

export class HostCallGate {
  readonly #limits: GateLimits;
  readonly #queue: Waiter[] = [];
  #running = 0;
  /** The most host calls that ran at once on this plugin's own slots. */
  peak = 0;
  /** Host calls refused without running because their call had ended. */
  dropped = 0;

  constructor(limits: GateLimits) {
    this.#limits = limits;
  }

  get running(): number {
    return this.#running;
  }

  /**
   * A slot for one host call of `invocation`, now or in FIFO order. Rejects with the reason the call ended,
   * or with `queueFull()` when this call already has `hostCallQueue` host calls waiting.
   */
  acquire(invocation: Invocation, queueFull: () => TouchpointError): Promise<Slot> {
    if (invocation.ended) return Promise.reject(invocation.ended);
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = { gate: this, invocation, grant: resolve, refuse: reject };
      const lane = invocation.lane?.open ? invocation.lane : undefined;
      if (lane && !lane.busy) {
        this.#grantLane(waiter, lane);
      } else if (!lane && this.#running < this.#limits.hostCallConcurrency) {
        this.#grantOwn(waiter);
      } else if (invocation.waiting.size >= this.#limits.hostCallQueue) {
        reject(queueFull());
      } else {
        invocation.waiting.add(waiter);
        if (lane) lane.waiters.push(waiter);
        else this.#queue.push(waiter);
      }
    });
  }

  /** The call ended: its waiting host calls are refused with `error`, later ones too. */
  end(invocation: Invocation, error: TouchpointError): void {
    if (invocation.ended) return;
    invocation.ended = error;
    invocation.controller.abort(error);
    for (const waiter of invocation.waiting) {
      remove(waiter.gate.#queue, waiter);
      if (invocation.lane) remove(invocation.lane.waiters, waiter);
      waiter.gate.dropped++;
      waiter.refuse(error);
    }
    invocation.waiting.clear();
  }

  #grantOwn(waiter: Waiter): void {
    waiter.invocation.waiting.delete(waiter);
    this.#running++;
    this.peak = Math.max(this.peak, this.#running);
    waiter.grant(
      slot(() => {
        this.#running--;
        const next = this.#queue.shift();
        if (next) this.#grantOwn(next);
      }),
    );
  }

  #grantLane(waiter: Waiter, lane: Lane): void {
    waiter.invocation.waiting.delete(waiter);
    lane.busy = true;
    waiter.grant(
      slot(() => {
        lane.busy = false;
        const next = lane.waiters.shift();
        if (next) next.gate.#grantLane(next, lane);
      }),
    );
  }

  /** A lane closed with host calls still waiting on it: they queue for their own plugin's slots. */
  static reroute(lane: Lane): void {
    for (const waiter of lane.waiters.splice(0)) {
      const gate = waiter.gate;
      if (gate.#running < gate.#limits.hostCallConcurrency) gate.#grantOwn(waiter);
      else gate.#queue.push(waiter);
    }
  }
}

function remove(list: Waiter[], waiter: Waiter): void {
  const at = list.indexOf(waiter);
  if (at >= 0) list.splice(at, 1);
}

/** A slot whose work runs in a lane of its own, closed when the slot is released. */
function slot(free: () => void): Slot {
  const lane: Lane = { open: true, busy: false, waiters: [] };
  let released = false;
  return {
    run: (work) => lanes.run(lane, work),
    release() {
      if (released) return;
      released = true;
      lane.open = false;
      HostCallGate.reroute(lane);
      free();
    },
  };
}
