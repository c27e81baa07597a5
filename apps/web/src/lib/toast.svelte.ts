// Short messages at the corner of the screen; one may carry an action (undo, reload).
export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
  action?: { label: string; run: () => void };
}

let next = 1;
export const toasts = $state<Toast[]>([]);

export function toast(
  kind: Toast['kind'],
  text: string,
  action?: Toast['action'],
  ms = kind === 'error' ? 9000 : 5000,
) {
  const id = next++;
  toasts.push({ id, kind, text, action });
  setTimeout(() => dismiss(id), ms);
  return id;
}

export function dismiss(id: number) {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}
