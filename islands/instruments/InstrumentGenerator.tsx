import type { z } from "@hono/zod-openapi";
import { type Signal, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
// Type-only: the bundle never pulls server code, yet this breaks at `deno check` when the
// generation's JSON shape changes.
import type { GenerationSchema, SeriesSchema } from "../../instruments/series_json.ts";
import { api, ApiError, describeError, type FieldError } from "../api.ts";

export type GenerationView = z.infer<typeof GenerationSchema>;

export interface InstrumentGeneratorProps {
  seriesId: string;
  seriesName: string;
  /** The most a request may generate (the API's limit). */
  max: number;
  /** A generation of this series still running when the page was made: its progress shows. */
  running: GenerationView | null;
  /** The series' instrument count the page shows (InstrumentCount): read again when done. */
  instrumentCount: Signal<number>;
  /** Where the series' instruments are listed. */
  instrumentsHref: string;
}

const POLL_MS = 500;
const fmt = (n: number) => new Intl.NumberFormat("en-US").format(n);

const csrfToken = () =>
  document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";

/**
 * POSTs a generation with an Idempotency-Key (which api() cannot send): a retry with the same
 * key gets the same generation back, so a lost answer never makes a second batch.
 */
async function postGeneration(seriesId: string, count: number, key: string) {
  let res: Response;
  try {
    res = await fetch(`/api/admin/v1/series/${seriesId}/instruments`, {
      method: "POST",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "X-CSRF-Token": csrfToken(),
      },
      body: JSON.stringify({ count }),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "The server could not be reached", "check the connection");
  }
  const body = await res.json().catch(() => null);
  if (res.status === 202 && body?.generation) return body.generation as GenerationView;
  throw new ApiError(
    res.status,
    typeof body?.title === "string" ? body.title : `The request failed (HTTP ${res.status})`,
    typeof body?.detail === "string" ? body.detail : undefined,
    Array.isArray(body?.errors) ? body.errors as FieldError[] : [],
  );
}

interface Pending {
  key: string;
  count: number;
}

/**
 * The batch being asked for, kept in sessionStorage until it is accepted: a reload after a
 * lost answer retries with the same key instead of making a second batch.
 */
function pendingStore(seriesId: string) {
  const name = `le-pending-generation:${seriesId}`;
  return {
    read(): Pending | null {
      // Rendered on the server too, where there is no page session.
      if (typeof document === "undefined") return null;
      try {
        return JSON.parse(sessionStorage.getItem(name) ?? "null");
      } catch {
        return null;
      }
    },
    write(p: Pending | null) {
      if (p) sessionStorage.setItem(name, JSON.stringify(p));
      else sessionStorage.removeItem(name);
    },
  };
}

/** A count and a Generate button; then a progress bar until the batch is done. */
export default function InstrumentGenerator(
  { seriesId, seriesName, max, running, instrumentCount, instrumentsHref }:
    InstrumentGeneratorProps,
) {
  const count = useSignal("1000");
  const generation = useSignal<GenerationView | null>(running);
  const stored = pendingStore(seriesId);
  /** The key of the batch being asked for, kept until it is accepted so retries reuse it. */
  const pending = useSignal<Pending | null>(stored.read());
  const setPending = (p: Pending | null) => {
    pending.value = p;
    stored.write(p);
  };
  const busy = useSignal(false);
  const fieldError = useSignal<string | null>(null);
  const alert = useSignal<string | null>(null);
  const id = `gen-${seriesId}`;

  const isRunning = generation.value?.status === "running";

  // Poll while a generation runs; a failed poll (a blip) is retried on the next tick.
  useEffect(() => {
    if (!isRunning) return;
    const genId = generation.value!.id;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const { generation: g } = await api<{ generation: GenerationView }>(
          "GET",
          `/generations/${genId}`,
        );
        if (stopped) return;
        generation.value = g;
        alert.value = null;
        if (g.status !== "running") return;
      } catch (err) {
        if (stopped) return;
        alert.value = `Progress is not updating (${describeError(err)}); still trying…`;
      }
      timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [isRunning, generation.value?.id]);

  // A batch done (polled to the end, or a retry answered with a finished one): the count the
  // page shows is read from the server, which counts every instrument the series has.
  const doneId = generation.value?.status === "done" ? generation.value.id : null;
  useEffect(() => {
    if (!doneId) return;
    let stopped = false;
    api<z.infer<typeof SeriesSchema>>("GET", `/series/${seriesId}`)
      .then((series) => {
        if (!stopped) instrumentCount.value = series.instrumentCount;
      })
      // The count is a convenience beside the progress, which says done: a reload shows it.
      .catch(() => {});
    return () => {
      stopped = true;
    };
  }, [doneId]);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy.value || isRunning) return;
    fieldError.value = null;
    alert.value = null;
    const n = Number(count.value);
    if (!count.value.trim() || !Number.isInteger(n) || n < 1 || n > max) {
      fieldError.value = `Enter a whole number from 1 to ${fmt(max)}.`;
      return;
    }
    // A new count is a new batch; the same count after a failed attempt is a retry.
    if (pending.value?.count !== n) setPending({ key: crypto.randomUUID(), count: n });
    busy.value = true;
    try {
      generation.value = await postGeneration(seriesId, n, pending.value!.key);
      setPending(null);
    } catch (err) {
      const retryable = err instanceof ApiError && (err.status === 0 || err.status >= 500);
      if (!retryable) setPending(null);
      const countError = err instanceof ApiError
        ? err.errors.find((fe) => fe.field === "count")
        : undefined;
      if (countError) fieldError.value = countError.message;
      else {
        alert.value = describeError(err) +
          (retryable ? ". Press Generate again: the same batch will not be made twice." : "");
      }
    } finally {
      busy.value = false;
    }
  }

  const g = generation.value;
  return (
    <form class="generator" onSubmit={submit} noValidate aria-label={`Generate ${seriesName}`}>
      <div class="row">
        <label for={`${id}-count`}>
          Instruments to generate
          <input
            id={`${id}-count`}
            name="count"
            type="number"
            inputMode="numeric"
            min={1}
            max={max}
            value={count.value}
            onInput={(e) => count.value = e.currentTarget.value}
            aria-invalid={fieldError.value ? "true" : undefined}
            aria-describedby={fieldError.value ? `${id}-error` : undefined}
          />
          {fieldError.value && (
            <span id={`${id}-error`} class="field-error">{fieldError.value}</span>
          )}
        </label>
        <button type="submit" aria-disabled={busy.value || isRunning ? "true" : undefined}>
          {busy.value ? "Starting…" : "Generate"}
        </button>
      </div>
      {alert.value && <p role="alert" class="flash error">{alert.value}</p>}
      {g && (
        <div class="progress" role="status" aria-live="polite">
          <progress value={g.created} max={g.count} aria-label={`${seriesName} generation`} />
          <span>
            {fmt(g.created)} of {fmt(g.count)}
            {g.status === "done" && (
              <>
                {" — done. "}
                <a href={instrumentsHref}>See the instruments</a>
              </>
            )}
            {g.status === "failed" && ` — failed: ${g.error ?? "unknown error"}`}
          </span>
        </div>
      )}
    </form>
  );
}
