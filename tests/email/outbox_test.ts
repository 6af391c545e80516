import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import type { Db } from "../../db/connection.ts";
import { inTransaction } from "../../db/transaction.ts";
import { outboxCounts } from "../../email/outbox.ts";
import { drainOutbox, OutboxSender, type SenderOptions } from "../../email/sender.ts";
import { type Mailer, mailerFor } from "../../email/transport.ts";
import { createCustomer } from "../../members/customers.ts";
import { adminCall, createTestApp, type TestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { startSmtp } from "../helpers/smtp.ts";
import { buildWorld, posCall, type World } from "../helpers/world.ts";

const FROM = "Acme Loyalty <loyalty@acme.test>";
/** Short waits, so a retry comes within the test; attempts are counted, never timed. */
const QUICK: SenderOptions = {
  maxAttempts: 50,
  backoffMs: 20,
  maxBackoffMs: 100,
  leaseMs: 60_000,
  pollMs: 10,
  batch: 20,
};

const t: TestApp = await createTestApp();
const smtp = await startSmtp();
const mailer = mailerFor({ smtp: { url: smtp.url }, mailFrom: FROM });
const W: World = await buildWorld(t, {
  name: "Acme",
  settings: { sendNewMemberEmail: true },
  member: null,
});
const group = W.group;

const outbox = (db: Db = t.db) =>
  db.selectFrom("email_outbox").selectAll().where("group_id", "=", group.id)
    .orderBy("created_at").execute();
const attemptsOf = (id: string) =>
  t.db.selectFrom("email_attempts").selectAll().where("outbox_id", "=", id).orderBy("attempt")
    .execute();
const newMember = (name: string, email: string | null, categories = ["GOLD"]) =>
  createCustomer(t.db, group, { name, email, categories }, W.settings);

/** Drains until nothing is claimed; resolves with how many it sent in all. */
async function drainAll(m: Mailer = mailer, o: SenderOptions = QUICK) {
  let claimed = 0;
  for (let n; (n = await drainOutbox(t.db, m, o)) > 0;) claimed += n;
  return claimed;
}

/** Every test starts from an empty outbox and mailbox. */
async function fresh() {
  await drainAll();
  await t.db.deleteFrom("email_attempts").execute();
  await t.db.deleteFrom("email_outbox").execute();
  smtp.messages.length = 0;
}

Deno.test("a new member's email arrives once, with its headers and the member in its body", async () => {
  await fresh();
  const ada = await newMember("Zoë <b>O'Hara</b> & co", "zoe@example.com");
  const [row] = await outbox();
  assert.equal(row.status, "pending");
  assert.equal(row.customer_id, ada.customer.id);
  assert.equal(await drainAll(), 1);
  await smtp.waitFor(1);
  assert.equal(await drainAll(), 0, "nothing is sent twice");
  assert.equal(smtp.messages.length, 1);
  const [mail] = smtp.messages;
  assert.deepEqual(mail.rcptTo, ["zoe@example.com"]);
  assert.equal(mail.from, '"Acme Loyalty" <loyalty@acme.test>');
  assert.equal(mail.to, "zoe@example.com");
  assert.equal(mail.subject, "Welcome to our loyalty programme, Zoë <b>O'Hara</b> & co");
  assert.equal(mail.messageId, `<new-member.${ada.customer.id}@acme.test>`);
  const number = ada.customer.number;
  assert.equal(ada.cards[0].number, number, "the automatic card has the customer number");
  assert.match(mail.text, /Hello Zoë <b>O'Hara<\/b> & co,/);
  assert.ok(mail.text.includes(`customer number is ${number} and your card number is ${number}`));
  assert.ok(mail.html.includes("Hello Zoë &lt;b&gt;O&#39;Hara&lt;/b&gt; &amp; co,"), mail.html);
  assert.ok(!mail.html.includes("<b>O"), "the name is escaped in the HTML");
  assert.ok(mail.html.includes(`<strong>${number}</strong>`));
  const [sent] = await outbox();
  assert.equal(sent.status, "sent");
  assert.equal(sent.attempts, 1);
  assert.equal(sent.message_id, mail.messageId);
  const attempts = await attemptsOf(sent.id);
  assert.deepEqual(attempts.map((a) => a.outcome), ["sent"]);
  assert.match(attempts[0].detail, /^250/);
});

Deno.test("the setting off, a plain customer, a rolled-back member: no outbox row", async () => {
  await fresh();
  await createCustomer(t.db, group, {
    name: "Plain",
    email: "plain@example.com",
    categories: ["PLAIN"],
  }, { ...W.settings, nonLoyaltyCategoryCodes: ["PLAIN"] });
  await createCustomer(t.db, group, {
    name: "Off",
    email: "off@example.com",
    categories: ["GOLD"],
  }, { ...W.settings, sendNewMemberEmail: false });
  await assert.rejects(
    inTransaction(t.db, async (tx) => {
      await createCustomer(tx, group, {
        name: "Rolled back",
        email: "gone@example.com",
        categories: ["GOLD"],
      }, W.settings);
      assert.equal((await outbox(tx)).length, 1, "queued in the member's transaction");
      throw new Error("the caller's work fails after the member");
    }),
    /fails after the member/,
  );
  assert.equal((await outbox()).length, 0);
  const gone = await t.db.selectFrom("customers").select("id").where("name", "=", "Rolled back")
    .execute();
  assert.equal(gone.length, 0);
});

Deno.test("a member without an email is skipped and counted, never sent", async () => {
  await fresh();
  await newMember("No Email", null);
  const [row] = await outbox();
  assert.equal(row.status, "skipped");
  assert.equal(await drainAll(), 0);
  assert.equal((await outboxCounts(t.db, group)).skipped, 1);
  assert.equal(smtp.messages.length, 0);
});

Deno.test("with the SMTP server down the email is retried, and delivered when it is back", async () => {
  await fresh();
  await smtp.stop();
  const member = await newMember("Outage Olga", "olga@example.com");
  const sender = new OutboxSender({ db: t.db, mailer, options: QUICK });
  await sender.start();
  try {
    // Two refused attempts, recorded with their error and a later next try.
    for (;;) {
      const [row] = await outbox();
      if (row.attempts >= 2 && row.lease_token === null) break;
      await delay(10);
    }
    const [failing] = await outbox();
    assert.equal(failing.status, "pending");
    assert.match(failing.last_error!, /ECONNREFUSED/);
    const restored = performance.now();
    await smtp.start();
    await smtp.waitFor(1);
    const deliveredMs = performance.now() - restored;
    console.log(
      `delivered ${deliveredMs.toFixed(0)} ms after the SMTP server came back ` +
        `(backoff ${QUICK.backoffMs}–${QUICK.maxBackoffMs} ms, ${testBackend})`,
    );
    for (;;) {
      const [row] = await outbox();
      if (row.status === "sent") break;
      await delay(10);
    }
  } finally {
    await sender.stop();
  }
  const [row] = await outbox();
  const attempts = await attemptsOf(row.id);
  assert.ok(attempts.length >= 3);
  assert.deepEqual(
    attempts.map((a) => a.outcome),
    [...Array(attempts.length - 1).fill("error"), "sent"],
  );
  assert.deepEqual(attempts.map((a) => a.attempt), attempts.map((_, i) => i + 1));
  assert.equal(smtp.messages.length, 1);
  assert.equal(smtp.messages[0].messageId, `<new-member.${member.customer.id}@acme.test>`);
});

Deno.test("after its last attempt an email is failed, counted, and a retry sends it", async () => {
  await fresh();
  await smtp.stop();
  await newMember("Failing Fay", "fay@example.com");
  const twice = { ...QUICK, maxAttempts: 2, backoffMs: 0, maxBackoffMs: 0 };
  try {
    await drainAll(mailer, twice);
    await drainAll(mailer, twice);
  } finally {
    await smtp.start();
  }
  const [row] = await outbox();
  assert.equal(row.status, "failed");
  assert.equal(row.attempts, 2);
  assert.ok(row.finished_at);
  assert.equal((await outboxCounts(t.db, group)).failed, 1);
  assert.equal(await drainAll(), 0, "a failed email is not sent again by itself");

  const path = `/merchant-groups/${group.id}/new-member-email/outbox`;
  const failed = await adminCall(t, W.ownerToken, "GET", `${path}?status=failed`);
  assert.equal(failed.status, 200);
  assert.deepEqual(failed.json.items.map((i: { id: string }) => i.id), [row.id]);
  assert.deepEqual(
    failed.json.items[0].attempts.map((a: { outcome: string }) => a.outcome),
    ["error", "error"],
  );
  const retried = await adminCall(t, W.ownerToken, "POST", `${path}/${row.id}/retry`);
  assert.equal(retried.status, 200, JSON.stringify(retried.json));
  assert.equal(retried.json.status, "pending");
  assert.equal(await drainAll(), 1);
  await smtp.waitFor(1);
  const [sent] = await outbox();
  assert.equal(sent.status, "sent");
  assert.equal((await attemptsOf(sent.id)).length, 3, "the past attempts stay recorded");
  const again = await adminCall(t, W.ownerToken, "POST", `${path}/${row.id}/retry`);
  assert.equal(again.status, 409);
  assert.equal(again.json.type.endsWith("email-not-failed"), true);
});

Deno.test("a sender killed after the SMTP server accepted the email: resent once, same Message-ID", async () => {
  await fresh();
  const member = await newMember("Killed Kim", "kim@example.com");
  /** A sender whose process dies as soon as the server accepted: it never records. */
  const dying: Mailer = {
    ...mailer,
    send: async (email) => {
      await mailer.send(email);
      return await new Promise<never>(() => {});
    },
  };
  const short = { ...QUICK, leaseMs: 200 };
  void drainOutbox(t.db, dying, short);
  await smtp.waitFor(1);
  const [held] = await outbox();
  assert.equal(held.status, "pending", "nothing recorded: the email stays claimed");
  assert.equal((await attemptsOf(held.id)).length, 0);
  // The restarted sender claims it once the dead one's lease is over.
  while (await drainOutbox(t.db, mailer, short) === 0) await delay(20);
  await smtp.waitFor(2);
  assert.equal(await drainAll(mailer, short), 0);
  const [first, second] = smtp.messages;
  assert.equal(smtp.messages.length, 2, "at least once: the duplicate the guarantee allows");
  assert.equal(first.messageId, `<new-member.${member.customer.id}@acme.test>`);
  assert.equal(second.messageId, first.messageId, "the duplicate carries the same Message-ID");
  assert.equal(second.text, first.text);
  const [row] = await outbox();
  assert.equal(row.status, "sent");
  assert.equal(row.attempts, 2);
  assert.deepEqual((await attemptsOf(row.id)).map((a) => [a.attempt, a.outcome]), [[2, "sent"]]);
});

Deno.test("N concurrent POS creations, each retried with its key: N emails, each once, by two senders", async () => {
  await fresh();
  const N = 12;
  const create = (i: number) =>
    posCall(t, W.posToken, "POST", "/customers", {
      key: `email-${i}`,
      body: { name: `Member ${i}`, email: `m${i}@example.com`, categories: ["GOLD"] },
    });
  const answers = await Promise.all([...Array(N).keys()].flatMap((i) => [create(i), create(i)]));
  for (const a of answers) assert.equal(a.status, 201, JSON.stringify(a.json));
  // The attacker's request: a used key with another body changes nothing.
  const reused = await posCall(t, W.posToken, "POST", "/customers", {
    key: "email-0",
    body: { name: "Mallory", email: "mallory@example.com", categories: ["GOLD"] },
  });
  assert.equal(reused.status, 422);
  const rows = await outbox();
  assert.equal(rows.length, N);
  // Two instances' senders at once: the leases and SKIP LOCKED keep them off each other's rows.
  const one = new OutboxSender({ db: t.db, mailer, options: { ...QUICK, batch: 3 } });
  const two = new OutboxSender({ db: t.db, mailer, options: { ...QUICK, batch: 3 } });
  await Promise.all([one.start(), two.start()]);
  try {
    await smtp.waitFor(N);
    while ((await outboxCounts(t.db, group)).sent < N) await delay(10);
  } finally {
    await Promise.all([one.stop(), two.stop()]);
  }
  assert.equal(smtp.messages.length, N);
  assert.deepEqual(
    smtp.messages.map((m) => m.to).sort(),
    [...Array(N).keys()].map((i) => `m${i}@example.com`).sort(),
  );
  assert.equal(new Set(smtp.messages.map((m) => m.messageId)).size, N);
  const attempts = await t.db.selectFrom("email_attempts").select("outcome").execute();
  assert.equal(attempts.length, N);
});

Deno.test("a started sender hears of a new member by notification and stops without a timer left", async () => {
  await fresh();
  // Polling once a minute: the email leaves on the notification of its insert.
  const sender = new OutboxSender({
    db: t.db,
    mailer,
    listen: t.database.listen,
    options: { ...QUICK, pollMs: 60_000 },
  });
  await sender.start();
  try {
    await newMember("Notified Nora", "nora@example.com");
    await smtp.waitFor(1);
  } finally {
    await sender.stop();
  }
  assert.equal(smtp.messages[0].to, "nora@example.com");
});

Deno.test("teardown", async () => {
  await smtp.stop();
  await t.close();
});
