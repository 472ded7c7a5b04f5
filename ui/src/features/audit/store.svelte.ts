// The Audit screen's state: the report Rust computes from the cached list (audit_views), and
// the view the user opened. It is re-read whenever the session store's list changes (a sync,
// a rotation), so the counts follow the cache; it never calls the server itself.
import { api } from '../../lib/api';
import type { AppError, AuditReport, AuditViewKind } from '../../lib/types';
import { findView, viewRows } from './views';

export class AuditStore {
  // Raw: replaced whole, and it carries the whole cached list (see the session store).
  report: AuditReport | null = $state.raw(null);
  selected: AuditViewKind | null = $state(null);
  error: AppError | null = $state(null);
  loaded = $state(false);

  /** The opened view, and its rows in the view's order. */
  get view() {
    return findView(this.report, this.selected);
  }

  get rows() {
    const v = this.view;
    return this.report && v ? viewRows(this.report, v) : [];
  }

  load = async () => {
    try {
      this.report = await api.auditViews();
      this.error = null;
    } catch (e) {
      // A session that ended is handled by `call` (back to sign-in); anything else is shown.
      this.error = e as AppError;
    } finally {
      this.loaded = true;
    }
  };

  open = (kind: AuditViewKind) => {
    this.selected = kind;
  };

  close = () => {
    this.selected = null;
  };
}
