import { type ComponentType, h, hydrate } from "preact";
import type { Signal } from "@preact/signals";
import { decodeProps } from "./props_codec.ts";

/** One map per page, in the shared chunk, so islands that were given one signal share it. */
const signals = new Map<number, Signal>();

export function boot(name: string, component: ComponentType<Record<string, unknown>>) {
  for (const el of document.querySelectorAll<HTMLElement>(`[data-island="${name}"]`)) {
    const props = decodeProps(JSON.parse(el.dataset.props ?? "{}"), signals);
    hydrate(h(component, props as Record<string, unknown>), el);
    el.dataset.hydrated = "true";
  }
}
