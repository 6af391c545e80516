import type { Signal } from "@preact/signals";

/** The id of the button that opens `key`, where the focus goes back when it closes. */
export const opener = (key: string) => `open-${key}`;

export interface OneOpen {
  /** The key of the one form or panel open, or null. */
  open: Signal<string | null>;
  toggle(key: string): void;
  /** Closes what is open and gives the focus back to the button that opened it. */
  close(): void;
}

/** One form or panel open at a time on a page, named by a key. */
export function oneOpen(open: Signal<string | null>): OneOpen {
  const close = () => {
    const key = open.peek();
    open.value = null;
    // After the render that brings the opener back (a rename form replaces its row), and
    // only if the focus left with the form: never pull it from where the user has moved it.
    if (!key) return;
    setTimeout(() => {
      const active = document.activeElement;
      if (!active || active === document.body) document.getElementById(opener(key))?.focus();
    });
  };
  return {
    open,
    close,
    toggle(key) {
      if (open.peek() === key) close();
      else open.value = key;
    },
  };
}
