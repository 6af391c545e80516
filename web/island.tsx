import type { ComponentType } from "preact";
import type { Signal } from "@preact/signals";
import { islandRegistry } from "../islands/registry.ts";
import { encodeProps } from "./props_codec.ts";

/**
 * Collects the islands of the page being rendered. renderToString is synchronous, so one
 * module-level collector cannot see two renders interleave.
 */
let collector: { names: Set<string>; signals: Map<Signal, number> } | null = null;

export function collectIslands<T>(render: () => T): { result: T; islands: string[] } {
  collector = { names: new Set(), signals: new Map() };
  try {
    const result = render();
    return { result, islands: [...collector.names] };
  } finally {
    collector = null;
  }
}

/**
 * Server-side marker for an island: renders the component to HTML inside a wrapper that
 * the client boot finds and hydrates with the same props.
 */
export function Island<P extends object>(
  { of, props }: { of: ComponentType<P>; props: NoInfer<P> },
) {
  const name = Object.entries(islandRegistry).find(([, c]) => c === of)?.[0];
  if (!name) throw new Error(`${of.displayName ?? of.name} is not listed in islands/registry.ts`);
  if (!collector) throw new Error("Island rendered outside renderPage");
  collector.names.add(name);
  const Component = of;
  return (
    <div
      data-island={name}
      data-props={JSON.stringify(encodeProps(props, collector.signals))}
      style="display:contents"
    >
      <Component {...props} />
    </div>
  );
}
