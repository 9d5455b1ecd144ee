// The dashboard's panel groups as the user arranged them: their order and which are collapsed,
// kept in localStorage so the arrangement survives a reload. Unknown or missing groups in what
// was stored (an older or newer app) are dropped or appended in the default order.
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export const GROUP_IDS = ['vivit', 'noise', 'step', 'curvature', 'histograms'] as const;
export type GroupId = (typeof GROUP_IDS)[number];

export interface LayoutState {
  order: GroupId[];
  /** Groups the user collapsed (true) or expanded (false); absent: the default (expanded). */
  collapsed: Partial<Record<GroupId, boolean>>;
}

export const LAYOUT_KEY = 'vivit-monitor.layout';

const isGroup = (v: unknown): v is GroupId => GROUP_IDS.includes(v as GroupId);

export function defaultLayout(): LayoutState {
  return { order: [...GROUP_IDS], collapsed: {} };
}

/** The stored layout, repaired: every known group exactly once, unknown entries dropped. */
export function loadLayout(storage: Pick<Storage, 'getItem'> | undefined): LayoutState {
  try {
    const raw: unknown = JSON.parse(storage?.getItem(LAYOUT_KEY) ?? 'null');
    if (!raw || typeof raw !== 'object') return defaultLayout();
    const r = raw as { order?: unknown; collapsed?: unknown };
    const stored = Array.isArray(r.order) ? r.order.filter(isGroup) : [];
    const order = [...new Set(stored)];
    for (const id of GROUP_IDS) if (!order.includes(id)) order.push(id);
    const collapsed: LayoutState['collapsed'] = {};
    if (r.collapsed && typeof r.collapsed === 'object') {
      for (const [id, v] of Object.entries(r.collapsed)) {
        if (isGroup(id) && typeof v === 'boolean') collapsed[id] = v;
      }
    }
    return { order, collapsed };
  } catch {
    return defaultLayout();
  }
}

export function saveLayout(storage: Pick<Storage, 'setItem'> | undefined, s: LayoutState): void {
  try {
    storage?.setItem(LAYOUT_KEY, JSON.stringify(s));
  } catch {
    // Storage full or disabled: the arrangement just is not remembered.
  }
}

/** `order` with `id` moved by `delta` places (clamped to the ends). */
export function moved(order: readonly GroupId[], id: GroupId, delta: number): GroupId[] {
  const from = order.indexOf(id);
  if (from < 0) return [...order];
  const to = Math.min(order.length - 1, Math.max(0, from + delta));
  const next = order.filter((g) => g !== id);
  next.splice(to, 0, id);
  return next;
}

/** `order` with `id` moved to where `target` is: after it when `id` was above, else before. */
export function placed(order: readonly GroupId[], id: GroupId, target: GroupId): GroupId[] {
  const from = order.indexOf(id);
  const to = order.indexOf(target);
  if (from < 0 || to < 0 || from === to) return [...order];
  return moved(order, id, to - from);
}

function safeLocalStorage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

export const useLayoutStore = defineStore('layout', () => {
  const storage = safeLocalStorage();
  const initial = loadLayout(storage);
  const order = ref<GroupId[]>(initial.order);
  const collapsed = ref<LayoutState['collapsed']>(initial.collapsed);

  watch(
    [order, collapsed],
    () => saveLayout(storage, { order: order.value, collapsed: collapsed.value }),
    { deep: true },
  );

  function isCollapsed(id: GroupId): boolean {
    return collapsed.value[id] ?? false;
  }

  function toggle(id: GroupId): void {
    collapsed.value = { ...collapsed.value, [id]: !isCollapsed(id) };
  }

  function move(id: GroupId, delta: number): void {
    order.value = moved(order.value, id, delta);
  }

  /** Drag and drop: `id` takes the place of `target` (after it when dragged downwards). */
  function place(id: GroupId, target: GroupId): void {
    order.value = placed(order.value, id, target);
  }

  function reset(): void {
    const d = defaultLayout();
    order.value = d.order;
    collapsed.value = d.collapsed;
  }

  return { order, collapsed, isCollapsed, toggle, move, place, reset };
});
