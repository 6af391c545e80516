import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { SESSION_COOKIE } from "../../auth/middleware.ts";
import { Field } from "../../components/Field.tsx";
import type { AppEnv } from "../../http/env.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import { authenticateStaff } from "../../staff/auth.ts";
import { createSession, deleteSession, SESSION_TTL_MS } from "../../staff/sessions.ts";
import {
  acceptInviteAsStaff,
  acceptInviteWithPassword,
  findInvite,
  type Invite,
} from "../../staff/memberships.ts";
import { countStaff, createOwner } from "../../staff/users.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { clientAddress } from "../../http/client_address.ts";
import { Credentials } from "../../staff/credentials.ts";
import type { Context } from "hono";
import { formText } from "../../web/form.ts";

const SetupSchema = z.object({
  name: z.string().trim().min(1, "enter your name").max(120),
  email: z.string().trim().email("enter an email address").max(254),
  password: z.string().min(12, "at least 12 characters").max(1024),
});

/**
 * Only a path of this origin: `next` must not send a signed-in user to another site. Browsers
 * read `/\\host` (and a tab or newline inside) as `//host`, so backslashes and control
 * characters are refused outright, and what remains must resolve to our own origin.
 */
export function safeNext(next: string | undefined, origin: string): string {
  // deno-lint-ignore no-control-regex -- control characters are exactly what is refused.
  if (!next || !next.startsWith("/") || /[\\\x00-\x1f\x7f]/.test(next)) return "/console";
  try {
    const url = new URL(next, origin);
    if (url.origin === new URL(origin).origin) return url.pathname + url.search + url.hash;
  } catch { /* not a URL: falls through */ }
  return "/console";
}

async function startSession(c: Context<AppEnv>, staffId: string) {
  const token = await createSession(c.get("deps").db, staffId);
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    // PUBLIC_URL, not the request: behind a TLS-terminating proxy the request is plain http.
    secure: new URL(c.get("deps").config.publicUrl).protocol === "https:",
    maxAge: SESSION_TTL_MS / 1000,
  });
}

function LoginForm(
  { email, next, errors, message }: {
    email?: string;
    next?: string;
    errors?: FieldError[];
    message?: string;
  },
) {
  return (
    <form method="post" action="/login" class="card narrow">
      {message && <p class="flash error" role="alert">{message}</p>}
      <input type="hidden" name="next" value={next ?? ""} />
      <Field
        label="Email"
        name="email"
        type="email"
        value={email}
        autocomplete="username"
        errors={errors}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autocomplete="current-password"
        errors={errors}
      />
      <button type="submit">Sign in</button>
    </form>
  );
}

function SetupForm({ values, errors }: { values?: Record<string, string>; errors?: FieldError[] }) {
  return (
    <form method="post" action="/setup" class="card narrow">
      <p>No staff account exists yet. Create the owner account of this installation.</p>
      <Field
        label="Your name"
        name="name"
        value={values?.name}
        autocomplete="name"
        errors={errors}
      />
      <Field
        label="Email"
        name="email"
        type="email"
        value={values?.email}
        autocomplete="username"
        errors={errors}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autocomplete="new-password"
        hint="At least 12 characters."
        errors={errors}
      />
      <button type="submit">Create owner account</button>
    </form>
  );
}

const InviteSchema = z.object({
  password: z.string().min(12, "at least 12 characters").max(1024),
});

function InviteForm(
  { token, invite, errors }: { token: string; invite: Invite; errors?: FieldError[] },
) {
  return (
    <form method="post" action={`/invite/${token}`} class="card narrow">
      <p>
        You are invited to <strong>{invite.organization}</strong> as{" "}
        {invite.role}. Choose a password for <strong>{invite.email}</strong>.
      </p>
      <Field
        label="Password"
        name="password"
        type="password"
        autocomplete="new-password"
        hint="At least 12 characters."
        errors={errors}
      />
      <button type="submit">Set password and sign in</button>
    </form>
  );
}

/**
 * An invitation to an account that has a password is accepted by that account, signed in:
 * the link alone never changes anything about an existing account.
 */
function AcceptInvite(
  { token, invite, signedInAs, csrf }: {
    token: string;
    invite: Invite;
    signedInAs?: string;
    csrf?: string;
  },
) {
  const login = `/login?next=${encodeURIComponent(`/invite/${token}`)}`;
  return (
    <section class="card narrow">
      <p>
        You are invited to <strong>{invite.organization}</strong> as {invite.role}.
      </p>
      {signedInAs === undefined
        ? (
          <p>
            <a href={login}>Sign in</a> to accept.
          </p>
        )
        : signedInAs === invite.staffId
        ? (
          <form method="post" action={`/invite/${token}`}>
            <input type="hidden" name="_csrf" value={csrf} />
            <button type="submit">Join {invite.organization}</button>
          </form>
        )
        : <p>This invitation is for another account: sign out, then sign in as its addressee.</p>}
    </section>
  );
}

const inviteGone = (c: Context<AppEnv>) =>
  renderPage(c, {
    title: "Invitation not valid",
    body: (
      <section class="card">
        <p>
          This invitation link was used already or has expired. Ask an administrator for a new one.
        </p>
      </section>
    ),
  }, 404);

export const authPages = new Hono<AppEnv>()
  .get("/setup", async (c) => {
    if (await countStaff(c.get("deps").db)) return c.redirect("/login");
    return renderPage(c, { title: "Set up Loyalty Edge", body: <SetupForm /> });
  })
  .post("/setup", async (c) => {
    const values = await formText(c);
    const parsed = SetupSchema.safeParse(values);
    if (!parsed.success) {
      return renderPage(c, {
        title: "Set up Loyalty Edge",
        body: <SetupForm values={values} errors={zodFieldErrors(parsed.error)} />,
      }, 422);
    }
    const owner = await createOwner(c.get("deps").db, parsed.data);
    if (!owner) {
      setFlash(c, { kind: "error", message: "Setup is already done; sign in." });
      return c.redirect("/login");
    }
    await startSession(c, owner.id);
    setFlash(c, { kind: "info", message: `Welcome, ${owner.name}. You are the owner.` });
    return c.redirect("/console");
  })
  .get("/login", async (c) => {
    if (!(await countStaff(c.get("deps").db))) return c.redirect("/setup");
    if (c.get("staff")) {
      return c.redirect(safeNext(c.req.query("next"), c.get("deps").config.publicUrl));
    }
    return renderPage(c, { title: "Sign in", body: <LoginForm next={c.req.query("next")} /> });
  })
  .post("/login", async (c) => {
    const values = await formText(c);
    const parsed = Credentials.safeParse(values);
    if (!parsed.success) {
      return renderPage(c, {
        title: "Sign in",
        body: (
          <LoginForm
            email={values.email}
            next={values.next}
            errors={zodFieldErrors(parsed.error)}
          />
        ),
      }, 422);
    }
    try {
      const staff = await authenticateStaff(
        c.get("deps").db,
        parsed.data.email,
        parsed.data.password,
        clientAddress(c),
      );
      await startSession(c, staff.id);
      return c.redirect(safeNext(values.next, c.get("deps").config.publicUrl));
    } catch (err) {
      if (!(err instanceof ProblemError) || (err.status !== 401 && err.status !== 429)) throw err;
      return renderPage(c, {
        title: "Sign in",
        body: <LoginForm email={values.email} next={values.next} message={err.title} />,
      }, err.status);
    }
  })
  .get("/invite/:token", async (c) => {
    const token = c.req.param("token");
    const invite = await findInvite(c.get("deps").db, token);
    if (!invite) return inviteGone(c);
    return renderPage(c, {
      title: "Accept your invitation",
      body: invite.hasPassword
        ? (
          <AcceptInvite
            token={token}
            invite={invite}
            signedInAs={c.get("staff")?.id}
            csrf={c.get("session")?.csrfToken}
          />
        )
        : <InviteForm token={token} invite={invite} />,
    });
  })
  .post("/invite/:token", async (c) => {
    const { db } = c.get("deps");
    const token = c.req.param("token");
    const invite = await findInvite(db, token);
    if (!invite) return inviteGone(c);
    if (invite.hasPassword) {
      // Never a password form for an account that has one: only its signed-in owner accepts.
      const staff = c.get("staff");
      if (
        !staff || staff.id !== invite.staffId || !(await acceptInviteAsStaff(db, token, staff.id))
      ) {
        return renderPage(c, {
          title: "Accept your invitation",
          body: <AcceptInvite token={token} invite={invite} signedInAs={staff?.id} />,
        }, 403);
      }
      setFlash(c, { kind: "info", message: `You joined ${invite.organization}.` });
      return c.redirect("/console");
    }
    const parsed = InviteSchema.safeParse(await formText(c));
    if (!parsed.success) {
      return renderPage(c, {
        title: "Accept your invitation",
        body: <InviteForm token={token} invite={invite} errors={zodFieldErrors(parsed.error)} />,
      }, 422);
    }
    const staffId = await acceptInviteWithPassword(db, token, parsed.data.password);
    if (!staffId) return inviteGone(c);
    await startSession(c, staffId);
    setFlash(c, { kind: "info", message: `Welcome, ${invite.name}.` });
    return c.redirect("/console");
  })
  .post("/logout", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await deleteSession(c.get("deps").db, token);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    setFlash(c, { kind: "info", message: "Signed out." });
    return c.redirect("/login");
  });
