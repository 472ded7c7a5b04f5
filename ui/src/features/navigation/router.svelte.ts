// The current path, kept in the location hash (#/system-settings/api-keys) so that links are
// plain links: focusable, activated by Enter, announced as links.
import { pathFromHash } from './navigation';

export class Router {
  path = $state(pathFromHash(window.location.hash));
  /** Bumped by every navigation the user asks for, so the page can take focus. */
  visits = $state(0);

  constructor() {
    window.addEventListener('hashchange', () => {
      this.path = pathFromHash(window.location.hash);
      this.visits += 1;
    });
  }

  go = (path: string) => {
    if (this.path === path) {
      this.visits += 1;
      return;
    }
    window.location.hash = path;
  };
}
