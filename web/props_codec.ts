import { type Signal, signal } from "@preact/signals";

/**
 * Island props travel as JSON in a data attribute. Signals are not JSON: each becomes
 * `{"$signal": id, "value": …}`, and the same signal passed to two islands keeps one id,
 * so on the client both islands share one signal again.
 */
const MARK = "$signal";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isSignal = (v: unknown): v is Signal =>
  typeof v === "object" && v !== null && "peek" in v && "subscribe" in v && "value" in v;

export function encodeProps(value: unknown, ids: Map<Signal, number>): Json {
  if (isSignal(value)) {
    let id = ids.get(value);
    if (id === undefined) ids.set(value, id = ids.size);
    return { [MARK]: id, value: encodeProps(value.peek(), ids) };
  }
  if (Array.isArray(value)) return value.map((v) => encodeProps(v, ids));
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined && typeof v !== "function") out[k] = encodeProps(v, ids);
    }
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value as Json;
}

export function decodeProps(value: Json, signals: Map<number, Signal>): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeProps(v, signals));
  if (value && typeof value === "object") {
    if (typeof value[MARK] === "number" && Object.keys(value).length === 2) {
      const id = value[MARK];
      let s = signals.get(id);
      if (!s) signals.set(id, s = signal(decodeProps(value.value, signals)));
      return s;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = decodeProps(v, signals);
    return out;
  }
  return value;
}
