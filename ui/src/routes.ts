// The route table: every screen, its path, its navigation word and the permission it needs.
// The navigation and the System Settings page are drawn from it (features/navigation).
import type { Component } from 'svelte';
import type { Route } from './features/navigation/navigation';
import {
  ACTIVITY,
  API_KEYS,
  AUDIT,
  INVENTORY,
  ROLES,
  ROTATION,
  SETTINGS,
  SYSTEM_SETTINGS,
  TOKEN_POLICY,
  USERS,
} from './features/navigation/paths';
import type { SessionStore } from './features/session/store.svelte';
import ActivityPage from './pages/ActivityPage.svelte';
import ApiKeysPage from './pages/ApiKeysPage.svelte';
import InventoryPage from './pages/InventoryPage.svelte';
import RolesPage from './pages/RolesPage.svelte';
import AuditPage from './pages/AuditPage.svelte';
import RotationPage from './pages/RotationPage.svelte';
import SettingsPage from './pages/SettingsPage.svelte';
import SystemSettingsPage from './pages/SystemSettingsPage.svelte';
import TokenPolicyPage from './pages/TokenPolicyPage.svelte';
import UsersPage from './pages/UsersPage.svelte';
import DeveloperApiBanner from './components/DeveloperApiBanner.svelte';

/** Every screen and gate gets the session store, a way to open a path, and this table. */
export interface PageProps {
  store: SessionStore;
  go: (path: string) => void;
  routes: readonly PageRoute[];
}

export type PageRoute = Route<Component<PageProps>>;

export const ROUTES: readonly PageRoute[] = [
  {
    path: API_KEYS,
    label: 'API Keys',
    component: ApiKeysPage,
    requires: 'developer.manage_tokens',
    gate: DeveloperApiBanner,
    placement: 'nav',
  },
  // No gate: without the permission these are left out (API Keys' gate explains how to get it).
  {
    path: AUDIT,
    label: 'Audit',
    component: AuditPage,
    requires: 'developer.manage_tokens',
    placement: 'nav',
  },
  {
    path: ROTATION,
    label: 'Rotation',
    component: RotationPage,
    requires: 'developer.manage_tokens',
    placement: 'nav',
  },
  // The security admin's desk: every user's tokens.
  { path: INVENTORY, label: 'Inventory', component: InventoryPage, requires: 'developer.audit_tokens', placement: 'nav' },
  // Everyone has their own activity; Audit API Tokens shows the whole tenant's.
  { path: ACTIVITY, label: 'Activity', component: ActivityPage, requires: null, placement: 'nav' },
  { path: SETTINGS, label: 'Settings', component: SettingsPage, requires: null, placement: 'nav' },
  {
    path: SYSTEM_SETTINGS,
    label: 'System Settings',
    component: SystemSettingsPage,
    requires: null,
    placement: 'nav',
  },
  // System Settings' screens, listed on its page to those holding the permission.
  { path: ROLES, label: 'Roles', component: RolesPage, requires: 'admin.manage_roles', placement: 'system' },
  { path: USERS, label: 'Users', component: UsersPage, requires: 'admin.manage_users', placement: 'system' },
  // The server lets admin.manage_roles set the policy (anyone may read it).
  {
    path: TOKEN_POLICY,
    label: 'Token policy',
    component: TokenPolicyPage,
    requires: 'admin.manage_roles',
    placement: 'system',
  },
];
