import type { ComponentChildren } from "preact";

/**
 * The confirmation a consequential form asks for before it acts, without JavaScript: the
 * server answers the first post with this step, which posts the same fields again with
 * `confirm=yes` (the server checks that field, so no client can skip the step); "Back" leaves
 * without acting. The focus lands on the step's heading.
 */
export function ConfirmStep(
  { title, action, form, confirmLabel, backHref, csrf, children }: {
    title: string;
    /** Where the first post went: the confirmed post goes there again. */
    action: string;
    /** The fields of the first post, sent again as they were. */
    form: Record<string, string>;
    confirmLabel: string;
    backHref: string;
    csrf?: string;
    /** What happens if confirmed, in words and figures. */
    children: ComponentChildren;
  },
) {
  const replayed = Object.entries(form).filter(([k]) => k !== "_csrf" && k !== "confirm");
  return (
    <section class="card confirm-step" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading" tabIndex={-1} autofocus>{title}</h2>
      <div id="confirm-detail">{children}</div>
      <form method="post" action={action} class="row" aria-labelledby="confirm-heading">
        <input type="hidden" name="_csrf" value={csrf} />
        {replayed.map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger" aria-describedby="confirm-detail">
          {confirmLabel}
        </button>
        <a href={backHref} class="button secondary">Back</a>
      </form>
    </section>
  );
}

/** Whether a posted form carries the confirmation `ConfirmStep` adds. */
export const confirmed = (form: Record<string, string>) => form.confirm === "yes";
