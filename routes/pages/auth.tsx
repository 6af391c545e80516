import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { SESSION_COOKIE } from "../../auth/middleware.ts";
import { Field } from "../../components/Field.tsx";
import type { AppEnv } from "../../http/env.ts";
import { type FieldError, ProblemError } from "../../http/problem.ts";
import { zodFieldErrors } from "../../http/validation.ts";
import { authenticateStaff } from "../../staff/auth.ts";
import { createSession, deleteSession, SESSION_TTL_MS } from "../../staff/sessions.ts";
import { acceptInvite, findInvite } from "../../staff/memberships.ts";
import { countStaff, createOwner } from "../../staff/users.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { clientAddress, Credentials } from "../auth_api.ts";
import type { Context } from "hono";
import { formText } from "../../web/form.ts";

const SetupSchema = z.object({
  name: z.string().trim().min(1, "enter your name").max(120),
  email: z.string().trim().email("enter an email address").max(254),
  password: z.string().min(12, "at least 12 characters").max(1024),
});

/** Only a same-site path: `next` must not send a signed-in user to another site. */
const safeNext = (next: string | undefined) =>
  next && next.startsWith("/") && !next.startsWith("//") ? next : "/console";

async function startSession(c: Context<AppEnv>, staffId: string) {
  const token = await createSession(c.var.deps.db, staffId);
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: new URL(c.req.url).protocol === "https:",
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
  { token, email, errors }: { token: string; email: string; errors?: FieldError[] },
) {
  return (
    <form method="post" action={`/invite/${token}`} class="card narrow">
      <p>
        Choose a password for <strong>{email}</strong>.
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
    if (await countStaff(c.var.deps.db)) return c.redirect("/login");
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
    const owner = await createOwner(c.var.deps.db, parsed.data);
    if (!owner) {
      setFlash(c, { kind: "error", message: "Setup is already done; sign in." });
      return c.redirect("/login");
    }
    await startSession(c, owner.id);
    setFlash(c, { kind: "info", message: `Welcome, ${owner.name}. You are the owner.` });
    return c.redirect("/console");
  })
  .get("/login", async (c) => {
    if (!(await countStaff(c.var.deps.db))) return c.redirect("/setup");
    if (c.var.staff) return c.redirect(safeNext(c.req.query("next")));
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
        c.var.deps.db,
        parsed.data.email,
        parsed.data.password,
        clientAddress(c),
      );
      await startSession(c, staff.id);
      return c.redirect(safeNext(values.next));
    } catch (err) {
      if (!(err instanceof ProblemError) || (err.status !== 401 && err.status !== 429)) throw err;
      return renderPage(c, {
        title: "Sign in",
        body: <LoginForm email={values.email} next={values.next} message={err.title} />,
      }, err.status);
    }
  })
  .get("/invite/:token", async (c) => {
    const invite = await findInvite(c.var.deps.db, c.req.param("token"));
    if (!invite) return inviteGone(c);
    return renderPage(c, {
      title: "Accept your invitation",
      body: <InviteForm token={c.req.param("token")} email={invite.email} />,
    });
  })
  .post("/invite/:token", async (c) => {
    const { db } = c.var.deps;
    const token = c.req.param("token");
    const invite = await findInvite(db, token);
    if (!invite) return inviteGone(c);
    const parsed = InviteSchema.safeParse(await formText(c));
    if (!parsed.success) {
      return renderPage(c, {
        title: "Accept your invitation",
        body: (
          <InviteForm token={token} email={invite.email} errors={zodFieldErrors(parsed.error)} />
        ),
      }, 422);
    }
    const staffId = await acceptInvite(db, token, parsed.data.password);
    if (!staffId) return inviteGone(c);
    await startSession(c, staffId);
    setFlash(c, { kind: "info", message: `Welcome, ${invite.name}.` });
    return c.redirect("/console");
  })
  .post("/logout", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await deleteSession(c.var.deps.db, token);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    setFlash(c, { kind: "info", message: "Signed out." });
    return c.redirect("/login");
  });
