// The Roles screen's state: the roles and catalog from the server, the role open, its boxes,
// and the save. Nothing is cached: changing a role needs the server (see app_service/roles.rs).
import { api } from '../../lib/api';
import type { AppError, Role, RolesView } from '../../lib/types';
import { isChanged, savedMessage, toggled, toSave } from './roles';

export class RolesStore {
  view: RolesView | null = $state(null);
  loading = $state(false);
  /** Why the roles could not be read (the server unreachable, permission gone, …). */
  error: AppError | null = $state(null);
  openId: string | null = $state(null);
  /** The open role's boxes as the admin has them now. */
  selected: string[] = $state([]);
  saving = $state(false);
  saveError: AppError | null = $state(null);
  saved: string | null = $state(null);

  get open(): Role | null {
    return this.view?.roles.find((r) => r.id === this.openId) ?? null;
  }

  get changed(): boolean {
    const role = this.open;
    return role !== null && isChanged(role, this.selected);
  }

  load = async () => {
    this.loading = true;
    this.error = null;
    try {
      this.view = await api.listRoles();
      // Keep the open role open across a reload; forget it if it is gone.
      const role = this.open;
      if (role) this.selected = [...role.permissions];
      else this.openId = null;
    } catch (e) {
      // A 401 also ends the session: `call` tells the session store, which leaves this screen.
      this.error = e as AppError;
    } finally {
      this.loading = false;
    }
  };

  /** Opens a role with its saved permissions; unsaved changes of the previous one are dropped
   * (the page asks first). */
  openRole = (id: string) => {
    const role = this.view?.roles.find((r) => r.id === id);
    if (!role) return;
    this.openId = id;
    this.selected = [...role.permissions];
    this.saveError = null;
    this.saved = null;
  };

  toggle = (key: string) => {
    this.selected = toggled(this.selected, key);
    this.saved = null;
  };

  undo = () => {
    const role = this.open;
    if (role) this.selected = [...role.permissions];
    this.saveError = null;
  };

  /** Saves the open role. On success the role is what the server answered, never what the
   * boxes said; on failure the boxes stay as they are, with the server's reason. */
  save = async (): Promise<boolean> => {
    const role = this.open;
    if (!role || !this.view || this.saving) return false;
    this.saving = true;
    this.saveError = null;
    this.saved = null;
    try {
      const updated = await api.updateRole(role.id, toSave(this.view.groups, this.selected));
      this.view = { ...this.view, roles: this.view.roles.map((r) => (r.id === updated.id ? updated : r)) };
      this.selected = [...updated.permissions];
      this.saved = savedMessage(updated);
      return true;
    } catch (e) {
      this.saveError = e as AppError;
      return false;
    } finally {
      this.saving = false;
    }
  };
}
