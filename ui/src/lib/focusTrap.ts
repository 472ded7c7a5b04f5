// A Svelte action for modal dialogs: keeps Tab inside the dialog, sends Escape to `onEscape`,
// focuses the first field on open and gives focus back to the opener on close.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusTrap(node: HTMLElement, options: { onEscape?: () => void } = {}) {
  let opts = options;
  const opener = document.activeElement as HTMLElement | null;

  function focusables(): HTMLElement[] {
    return Array.from(node.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
      (el) => el.offsetParent !== null || el === document.activeElement,
    );
  }

  function onKeydown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      opts.onEscape?.();
      return;
    }
    if (e.key !== 'Tab') return;
    const items = focusables();
    if (items.length === 0) {
      e.preventDefault();
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  node.addEventListener('keydown', onKeydown);
  queueMicrotask(() => {
    const auto = node.querySelector<HTMLElement>('[data-autofocus]');
    (auto ?? focusables()[0] ?? node).focus();
  });

  return {
    update(next: { onEscape?: () => void }) {
      opts = next;
    },
    destroy() {
      node.removeEventListener('keydown', onKeydown);
      opener?.focus?.();
    },
  };
}
