import type { ComponentType } from "preact";
import ChartHover from "./ChartHover.tsx";
import DeviceTree from "./DeviceTree.tsx";
import InstrumentCount from "./instruments/InstrumentCount.tsx";
import InstrumentGenerator from "./instruments/InstrumentGenerator.tsx";
import MerchantDetail from "./merchants/MerchantDetail.tsx";
import MerchantManager from "./merchants/MerchantManager.tsx";
import RuleEditor from "./rules/RuleEditor.tsx";

/**
 * Every island, by the name its bundle and marker carry. The build makes one entry per
 * name here, and the server marker refuses a component that is not listed.
 */
// deno-lint-ignore no-explicit-any -- islands differ in props; each keeps its own type.
export const islandRegistry: Record<string, ComponentType<any>> = {
  ChartHover,
  DeviceTree,
  InstrumentCount,
  InstrumentGenerator,
  MerchantDetail,
  MerchantManager,
  RuleEditor,
};
