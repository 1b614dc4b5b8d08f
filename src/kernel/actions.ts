/**
 * What an agent can do on its turn. The map is open: each mechanism declares
 * the actions it handles next to its handlers (declaration merging), and the
 * scheduler dispatches an action to the one mechanism that handles its kind.
 */

/** Every action's shape by kind. Mechanisms extend it with their own actions. */
export interface ActionMap {
  noop: { readonly kind: "noop" };
}

export type ActionKind = keyof ActionMap;
export type Action = ActionMap[ActionKind];
export type ActionOf<K extends ActionKind> = ActionMap[K];

export const NOOP: Action = { kind: "noop" };
