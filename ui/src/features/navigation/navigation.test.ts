import { describe, expect, it } from 'vitest';
import { navItems, pathFromHash, resolve, systemSections, type Route } from './navigation';
import { API_KEYS, SETTINGS, SYSTEM_SETTINGS } from './paths';
import { ROUTES } from '../../routes';

// A table shaped like the one the admin-desk issue completes: components are plain strings.
const TABLE: Route<string>[] = [
  { path: API_KEYS, label: 'API Keys', component: 'keys', requires: 'developer.manage_tokens', gate: 'banner', placement: 'nav' },
  { path: SETTINGS, label: 'Settings', component: 'settings', requires: null, placement: 'nav' },
  { path: SYSTEM_SETTINGS, label: 'System Settings', component: 'system', requires: null, placement: 'nav' },
  { path: '/system-settings/roles', label: 'Roles', component: 'roles', requires: 'admin.manage_roles', placement: 'system' },
  { path: '/system-settings/users', label: 'Users', component: 'users', requires: 'admin.manage_users', placement: 'system' },
];
const labels = (routes: Route<unknown>[]) => routes.map((r) => r.label);

describe('the navigation', () => {
  it('has the contract words in table order, API Keys also for those who must ask for it', () => {
    expect(labels(navItems(TABLE, []))).toEqual(['API Keys', 'Settings', 'System Settings']);
    expect(labels(navItems(TABLE, ['developer.manage_tokens']))).toEqual(['API Keys', 'Settings', 'System Settings']);
  });

  it('lists in System Settings only the screens the user holds the permission for', () => {
    expect(labels(systemSections(TABLE, []))).toEqual([]);
    expect(labels(systemSections(TABLE, ['admin.manage_roles']))).toEqual(['Roles']);
    expect(labels(systemSections(TABLE, ['admin.manage_users', 'admin.manage_roles']))).toEqual(['Roles', 'Users']);
  });
});

describe('resolve', () => {
  it('opens the screen when the permission is held, and its gate when not', () => {
    expect(resolve(TABLE, API_KEYS, ['developer.manage_tokens'])).toMatchObject({ route: { component: 'keys' }, allowed: true });
    expect(resolve(TABLE, API_KEYS, [])).toMatchObject({ route: { component: 'keys', gate: 'banner' }, allowed: false });
    expect(resolve(TABLE, SYSTEM_SETTINGS, [])).toMatchObject({ route: { component: 'system' }, allowed: true });
  });

  it('sends unknown paths, and hidden screens opened by their path, to the first entry', () => {
    for (const path of ['', '/nowhere', '/system-settings/roles']) {
      expect(resolve(TABLE, path, ['developer.manage_tokens']).route.path).toBe(API_KEYS);
    }
    expect(resolve(TABLE, '/system-settings/roles', ['admin.manage_roles']).route.label).toBe('Roles');
  });

  it('reads the path from the location hash', () => {
    expect(pathFromHash('#/system-settings/api-keys')).toBe('/system-settings/api-keys');
    expect(pathFromHash('')).toBe('');
  });
});

describe('the app route table', () => {
  it('draws the navigation of the contract and the guide path /system-settings/api-keys', () => {
    expect(labels(navItems(ROUTES, []))).toEqual(['API Keys', 'Activity', 'Settings', 'System Settings']);
    const keys = ROUTES.find((r) => r.label === 'API Keys');
    expect(keys?.path).toBe('/system-settings/api-keys');
    expect(keys?.requires).toBe('developer.manage_tokens');
    expect(keys?.gate).toBeDefined();
  });

  it('lists Audit and Rotation after API Keys for those who manage tokens, and hides them from others', () => {
    expect(labels(navItems(ROUTES, ['developer.manage_tokens']))).toEqual(['API Keys', 'Audit', 'Rotation', 'Activity', 'Settings', 'System Settings']);
    expect(resolve(ROUTES, '/rotation', []).route.label).toBe('API Keys');
    expect(resolve(ROUTES, '/rotation', ['developer.manage_tokens'])).toMatchObject({ route: { label: 'Rotation' }, allowed: true });
    expect(resolve(ROUTES, '/audit', []).route.label).toBe('API Keys');
    expect(resolve(ROUTES, '/audit', ['developer.manage_tokens'])).toMatchObject({ route: { label: 'Audit' }, allowed: true });
  });

  it('has one route per path and lists no screen that does not exist yet', () => {
    const paths = ROUTES.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(ROUTES.every((r) => r.component)).toBe(true);
  });

  it('lists Roles, Users and Token policy on System Settings only for those holding their permissions', () => {
    expect(labels(systemSections(ROUTES, []))).toEqual([]);
    expect(labels(systemSections(ROUTES, ['admin.manage_roles']))).toEqual(['Roles', 'Token policy']);
    expect(labels(systemSections(ROUTES, ['admin.manage_users']))).toEqual(['Users']);
    expect(labels(systemSections(ROUTES, ['admin.manage_roles', 'admin.manage_users']))).toEqual([
      'Roles',
      'Users',
      'Token policy',
    ]);
    expect(resolve(ROUTES, '/system-settings/token-policy', ['admin.manage_users']).route.label).toBe('API Keys');
    expect(resolve(ROUTES, '/system-settings/token-policy', ['admin.manage_roles']).route.label).toBe('Token policy');
    expect(resolve(ROUTES, '/system-settings/users', ['admin.manage_roles']).route.label).toBe('API Keys');
  });

  it('lists Inventory only for auditors, after Rotation', () => {
    expect(labels(navItems(ROUTES, ['developer.manage_tokens', 'developer.audit_tokens']))).toEqual([
      'API Keys', 'Audit', 'Rotation', 'Inventory', 'Activity', 'Settings', 'System Settings',
    ]);
    expect(resolve(ROUTES, '/inventory', ['developer.manage_tokens']).route.label).toBe('API Keys');
  });

  it('shows Activity to everyone signed in', () => {
    expect(resolve(ROUTES, '/activity', [])).toMatchObject({ route: { label: 'Activity' }, allowed: true });
  });
});
