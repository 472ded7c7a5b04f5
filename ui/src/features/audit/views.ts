// The Audit screen's views: their words (the contract's "Desktop words") and what each one
// means, in the order Rust computes them (src-tauri/src/audit_rules.rs holds the rules), and
// how a view's token ids become the table's rows.
import type { AuditReport, AuditView, AuditViewKind, TokenRecord } from '../../lib/types';

export interface AuditViewWords {
  label: string;
  /** One line under the label; `days` is the Stale setting. */
  explain: (days: number) => string;
}

export const VIEW_WORDS: Record<AuditViewKind, AuditViewWords> = {
  stale: {
    label: 'Stale',
    explain: (days) => `Used, but not in the last ${days} ${days === 1 ? 'day' : 'days'}.`,
  },
  never_used: { label: 'Never used', explain: () => 'No recorded use.' },
  no_expiration: { label: 'No expiration', explain: () => 'Work until revoked.' },
  expiring_soon: { label: 'Expiring soon', explain: () => 'Expire within 14 days.' },
  due_for_rotation: {
    label: 'Due for rotation',
    explain: () => 'Created 90 or more days ago, most overdue first.',
  },
  broad_scopes: {
    label: 'Broad scopes',
    explain: () => 'Hold a scope that is not read-only (write or admin).',
  },
  off_hours: {
    label: 'Off-hours activity',
    explain: () => 'Used outside your working days and hours (Settings) in the last 30 days.',
  },
  new_address: {
    label: 'New address',
    explain: () => 'Used from an address first seen in the last 7 days.',
  },
};

/** The view's tokens, in the view's order; ids missing from the list are skipped. */
export function viewRows(report: AuditReport, view: AuditView): TokenRecord[] {
  const byId = new Map(report.tokens.map((t) => [t.id, t] as const));
  return view.token_ids.flatMap((id) => {
    const t = byId.get(id);
    return t ? [t] : [];
  });
}

/** The view of that kind, if the report has it. */
export function findView(report: AuditReport | null, kind: AuditViewKind | null): AuditView | null {
  if (!report || !kind) return null;
  return report.views.find((v) => v.kind === kind) ?? null;
}
