// What the navigation shows and which screen a path opens, worked out from the route table and
// the session's permissions. Pure, so the rules are tested without a window.

/** Where a route is listed: the main navigation, or the System Settings page. */
export type Placement = 'nav' | 'system';

export interface Route<C = unknown> {
  /** The path, as the product's guide writes it (app.keebai.com/system-settings/api-keys). */
  path: string;
  /** The contract's word for it, shown in the navigation. */
  label: string;
  component: C;
  /** The permission the screen needs; null when everyone signed in may open it. */
  requires: string | null;
  /**
   * Shown instead of the screen when the permission is missing, explaining how to get it. A
   * route with a permission and no gate is left out of the navigation for those without it.
   */
  gate?: C;
  placement: Placement;
}

/** What a path opens: the route, and whether to show its screen or its gate. */
export interface Resolved<C> {
  route: Route<C>;
  allowed: boolean;
}

function holds(route: Route<unknown>, permissions: readonly string[]): boolean {
  return route.requires === null || permissions.includes(route.requires);
}

function listed(route: Route<unknown>, permissions: readonly string[]): boolean {
  return holds(route, permissions) || route.gate !== undefined;
}

/** The main navigation, in table order. */
export function navItems<C>(routes: readonly Route<C>[], permissions: readonly string[]): Route<C>[] {
  return routes.filter((r) => r.placement === 'nav' && listed(r, permissions));
}

/** The screens System Settings lists: only those the user may open. */
export function systemSections<C>(
  routes: readonly Route<C>[],
  permissions: readonly string[],
): Route<C>[] {
  return routes.filter((r) => r.placement === 'system' && holds(r, permissions));
}

/**
 * The route for `path`. An unknown path, or one whose permission is missing and that has no
 * gate, opens the first navigation entry instead, so nothing hidden can be reached by its path.
 */
export function resolve<C>(
  routes: readonly Route<C>[],
  path: string,
  permissions: readonly string[],
): Resolved<C> {
  const route = routes.find((r) => r.path === path);
  if (route && listed(route, permissions)) return { route, allowed: holds(route, permissions) };
  const fallback = navItems(routes, permissions)[0] ?? routes[0];
  return { route: fallback, allowed: holds(fallback, permissions) };
}

/** The path in a location hash (`#/settings` → `/settings`); empty for none. */
export function pathFromHash(hash: string): string {
  return hash.startsWith('#') ? hash.slice(1) : hash;
}
