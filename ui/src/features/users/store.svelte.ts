// The Users screen's state: the users and roles from the server, and the two changes. A change
// updates the list from the server's answer only, so the screen never shows what the server
// did not accept; a failure is thrown to the dialog that asked, which shows it and stays open.
import { api } from '../../lib/api';
import type { AppError, CreateUserArgs, User, UsersView } from '../../lib/types';

export class UsersStore {
  view: UsersView | null = $state(null);
  loading = $state(false);
  error: AppError | null = $state(null);

  load = async () => {
    this.loading = true;
    this.error = null;
    try {
      this.view = await api.listUsers();
    } catch (e) {
      // A 401 also ends the session: `call` tells the session store, which leaves this screen.
      this.error = e as AppError;
    } finally {
      this.loading = false;
    }
  };

  create = async (form: CreateUserArgs): Promise<User> => {
    const user = await api.createUser(form);
    if (this.view) this.view = { ...this.view, users: [...this.view.users, user] };
    return user;
  };

  setDisabled = async (id: string, disabled: boolean): Promise<User> => {
    const user = await api.setUserDisabled(id, disabled);
    if (this.view) {
      this.view = { ...this.view, users: this.view.users.map((u) => (u.id === user.id ? user : u)) };
    }
    return user;
  };

  setRoles = async (id: string, roleIds: string[]): Promise<User> => {
    const user = await api.setUserRoles(id, roleIds);
    if (this.view) {
      this.view = { ...this.view, users: this.view.users.map((u) => (u.id === user.id ? user : u)) };
    }
    return user;
  };
}
