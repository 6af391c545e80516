import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { createCustomer } from "../../members/customers.ts";
import { createGroup } from "../../programme/groups.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createOwner } from "../../staff/users.ts";
import { startSmtp } from "../helpers/smtp.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  signIn,
  skipBrowserTest,
  type Steps,
  waitFor,
  waitForText,
  withBrowserApp,
} from "./harness.ts";

/** A programme sending the new member email, and a member queued before the server starts. */
async function seed(db: Db) {
  const owner = (await createOwner(db, {
    email: ADMIN_EMAIL,
    name: "Olivia Owner",
    password: ADMIN_PASSWORD,
  }))!;
  const org = await createOrganization(db, "Acme Retail", owner);
  const group = await createGroup(db, { orgId: org.id, name: "Paris programme", actor: owner });
  const { settings: defaults } = await getSettings(db, group);
  const { settings } = await saveSettings(db, group, {
    version: 1,
    settings: { ...defaults, sendNewMemberEmail: true },
  }, owner);
  await createCustomer(db, group, {
    name: "Ada Lovelace",
    email: "ada@example.com",
    categories: ["GOLD"],
  }, settings);
}

Deno.test({
  name: "new member email in a real browser: edit, preview, send me a test, the outbox",
  ignore: skipBrowserTest,
  fn: async (t) => {
    const smtp = await startSmtp();
    try {
      await withBrowserApp(t, {
        seed,
        env: { SMTP_URL: smtp.url, MAIL_FROM: "Acme Loyalty <loyalty@acme.test>" },
      }, async (app) => {
        const { baseUrl: base, page, pageErrors } = app;
        const preview = page.getByTestId("email-preview");
        const steps: Steps = [
          ["the server's sender delivers the member queued before it started", async () => {
            await smtp.waitFor(1);
            assert.equal(smtp.messages[0].to, "ada@example.com");
            assert.equal(
              smtp.messages[0].subject,
              "Welcome to our loyalty programme, Ada Lovelace",
            );
          }],
          ["the owner opens New member email from Settings", async () => {
            await signIn(page, { baseUrl: base });
            await page.goto(`${base}/console/settings`);
            await Promise.all([
              page.waitForURL((u) => u.pathname === "/console/settings/email"),
              page.getByRole("link", { name: "New member email" }).click(),
            ]);
            await page.getByRole("heading", { name: "New member email" }).waitFor();
            await waitForText(
              page.locator(".preview-subject"),
              "Welcome to our loyalty programme, Ana Lefèvre",
            );
          }],
          ["the outbox shows the member's email as sent, with its attempt", async () => {
            const row = page.locator("table.outbox tbody tr").filter({ hasText: "Ada Lovelace" });
            await waitForText(row.locator("td").nth(2), "Sent");
            assert.match(await row.locator("td").nth(3).innerText(), /sent 250/);
          }],
          ["an edit is previewed with the sample member, escaped", async () => {
            await page.getByLabel("Subject").fill("Bienvenue {{name}} !");
            await page.getByLabel("HTML").fill(
              "<h1>Bonjour {{name}}</h1>\n<p>Votre carte : <strong>{{cardNumber}}</strong></p>",
            );
            await Promise.all([
              page.waitForLoadState("load"),
              page.getByRole("button", { name: "Preview" }).click(),
            ]);
            await waitForText(preview.locator(".preview-subject"), "Bienvenue Ana Lefèvre !");
            const frame = page.frameLocator("iframe.preview-html");
            await waitForText(frame.locator("h1"), "Bonjour Ana Lefèvre");
            await waitForText(frame.locator("strong"), "4000000000000002");
            // The edit is kept in the form, unsaved.
            assert.equal(await page.getByLabel("Subject").inputValue(), "Bienvenue {{name}} !");
          }],
          ["send me a test: the edited template arrives at the owner's address", async () => {
            await page.getByRole("button", { name: "Send me a test" }).click();
            await waitForText(page.getByRole("status"), `Test email sent to ${ADMIN_EMAIL}.`);
            await smtp.waitFor(2);
            const test = smtp.messages[1];
            assert.deepEqual(test.rcptTo, [ADMIN_EMAIL]);
            assert.equal(test.subject, "Bienvenue Ana Lefèvre !");
            assert.match(test.html, /<h1>Bonjour Ana Lefèvre<\/h1>/);
            assert.equal(await page.getByLabel("Subject").inputValue(), "Bienvenue {{name}} !");
            await waitForText(
              page.frameLocator("iframe.preview-html").locator("h1"),
              "Bonjour Ana Lefèvre",
            );
            const screenshot = Deno.env.get("EMAIL_SCREENSHOT");
            if (screenshot) {
              // The sandboxed frame is painted by its own process: in view, it is in the picture.
              await page.locator("iframe.preview-html").scrollIntoViewIfNeeded();
              await page.screenshot({ path: screenshot, fullPage: true });
            }
          }],
          ["an unknown placeholder is refused by the field", async () => {
            await page.getByLabel("Subject").fill("Hi {{surname}}");
            await page.getByRole("button", { name: "Save template" }).click();
            await waitFor(
              "the subject's error",
              async () => (await page.locator("#subject-error").count()) === 1,
            );
            assert.match(await page.locator("#subject-error").innerText(), /placeholders are/);
          }],
          ["no script error on the page", () => {
            assert.deepEqual(pageErrors, []);
            return Promise.resolve();
          }],
        ];
        await app.runSteps(steps);
      });
    } finally {
      await smtp.stop();
    }
  },
});
