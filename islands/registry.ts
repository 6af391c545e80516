import type { ComponentType } from "preact";
import PointsPreview from "./PointsPreview.tsx";

/**
 * Every island, by the name its bundle and marker carry. The build makes one entry per
 * name here, and the server marker refuses a component that is not listed.
 */
// deno-lint-ignore no-explicit-any -- islands differ in props; each keeps its own type.
export const islandRegistry: Record<string, ComponentType<any>> = {
  PointsPreview,
};
