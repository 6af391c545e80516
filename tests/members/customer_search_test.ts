/**
 * The admin customer search (`q`) at the service: surname and other words of the name, part of
 * the email, local phone numbers against international ones, literal wildcards, the group's
 * boundary, and keyset pages with a `q`. Runs on PGlite, or on TEST_DATABASE_URL.
 */
import assert from "node:assert/strict";
import { page } from "../../http/pagination.ts";
import {
  createCustomer,
  type CustomerHit,
  NewCustomerSchema,
  searchCustomers,
} from "../../members/customers.ts";
import { createGroup, type MerchantGroup } from "../../programme/groups.ts";
import { DEFAULT_SETTINGS } from "../../programme/settings_schema.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createOwner } from "../../staff/users.ts";
import { createTestDatabase } from "../helpers/db.ts";

const database = await createTestDatabase();
const { db } = database;
const owner = (await createOwner(db, {
  email: "owner@example.com",
  name: "Owner",
  password: "owner password 1",
}))!;
const orgA = await createOrganization(db, "Acme", owner);
const orgB = await createOrganization(db, "Bolt", owner);
let groups = 0;
const newGroup = (orgId = orgA.id) =>
  createGroup(db, { orgId, name: `G${++groups}`, actor: owner });

let serial = 0;
const add = async (group: MerchantGroup, fields: Record<string, unknown>) =>
  (await createCustomer(
    db,
    group,
    NewCustomerSchema.parse({ categories: ["GOLD"], number: `7${++serial}`, ...fields }),
    DEFAULT_SETTINGS,
  )).customer;

const ids = (hits: CustomerHit[]) => hits.map((h) => h.id);
const find = async (group: MerchantGroup, q: string) =>
  ids(await searchCustomers(db, group, { q, limit: 50 }));

const G = await newGroup();
const anna = await add(G, {
  name: "Anna Smith",
  email: "ann@example.com",
  phone: "+61 412 345 678",
});
const maria = await add(G, {
  name: "Maria del Carmen Ortega-Ruiz",
  email: "m.ortega@shop.example.org",
});
const ben = await add(G, { name: "Ben Smithers", phone: "0298765432" });
const percent = await add(G, { name: "100% Juice Ltd", email: "sales_1@juice.example" });
const plain = await add(G, { name: "Carl Jones", email: "salesx1@juice.example" });

Deno.test("a surname, or the start of it, finds the customer in any case", async () => {
  assert.deepEqual(await find(G, "Smith"), [anna.id, ben.id], "Smith and Smithers");
  assert.deepEqual(await find(G, "smi"), [anna.id, ben.id]);
  assert.deepEqual(await find(G, "SMITHERS"), [ben.id]);
  assert.deepEqual(await find(G, "anna smi"), [anna.id], "several words in a row");
  assert.deepEqual(await find(G, "Anna"), [anna.id], "the first name still");
  assert.deepEqual(await find(G, "mith"), [], "a word's start, not any part of it");
});

Deno.test("a word in the middle of the name, and either half of a hyphenated one", async () => {
  assert.deepEqual(await find(G, "del"), [maria.id]);
  assert.deepEqual(await find(G, "carmen ort"), [maria.id]);
  assert.deepEqual(await find(G, "Ruiz"), [maria.id], "after a hyphen");
  assert.deepEqual(await find(G, "ortega-ru"), [maria.id], "with the hyphen typed");
});

Deno.test("any part of the email, in any case", async () => {
  assert.deepEqual(await find(G, "example.co"), [anna.id], "ann@example.com");
  assert.deepEqual(await find(G, "ANN@EXAMPLE.COM"), [anna.id], "the whole email");
  assert.deepEqual(await find(G, "ortega@shop"), [maria.id]);
  assert.deepEqual(await find(G, "@juice.EXAMPLE"), [percent.id, plain.id]);
});

Deno.test("a local phone number finds the number stored in international form", async () => {
  assert.deepEqual(await find(G, "0412 345 678"), [anna.id], "local, spaced");
  assert.deepEqual(await find(G, "(04) 1234-5678"), [anna.id], "local, punctuated");
  assert.deepEqual(await find(G, "+61412345678"), [anna.id], "international, exact");
  assert.deepEqual(await find(G, "345 678"), [anna.id], "its last six digits");
  assert.deepEqual(await find(G, "45 678"), [], "five digits are too few");
  assert.deepEqual(await find(G, "0000 45678"), [], "leading zeros do not count");
  assert.deepEqual(await find(G, "02 9876 5432"), [ben.id], "a stored local number");
  assert.deepEqual(await find(G, "412345679"), [], "another number");
});

Deno.test("% and _ in q are taken literally", async () => {
  assert.deepEqual(await find(G, "100%"), [percent.id], "a word of the name with its %");
  assert.deepEqual(await find(G, "%"), [], "not every customer (no word starts with %)");
  assert.deepEqual(await find(G, "_"), [percent.id], "only the email with an underscore");
  assert.deepEqual(await find(G, "sales_1"), [percent.id], "not salesx1");
  assert.deepEqual(await find(G, "1_0"), []);
  assert.deepEqual(await find(G, "\\"), [], "the escape character too");
});

Deno.test("customer number and card number still find exactly", async () => {
  assert.deepEqual(await find(G, anna.number), [anna.id]);
  assert.deepEqual(await find(G, anna.number.slice(0, -1)), [], "a number is not a prefix");
});

Deno.test("another group's customers are never found, in this organization or another", async () => {
  const sameOrg = await newGroup();
  const otherOrg = await newGroup(orgB.id);
  const twinA = await add(sameOrg, {
    name: "Anna Smith",
    email: "ann@example.com",
    phone: "+61412345678",
  });
  const twinB = await add(otherOrg, {
    name: "Anna Smith",
    email: "ann@example.com",
    phone: "+61412345678",
  });
  for (const q of ["Smith", "example.co", "0412 345 678", anna.number, ""]) {
    const inG = await find(G, q);
    assert.ok(!inG.includes(twinA.id) && !inG.includes(twinB.id), q);
    assert.ok(inG.includes(anna.id), q);
  }
  assert.deepEqual(await find(sameOrg, "smith"), [twinA.id]);
  assert.deepEqual(await find(otherOrg, "0412 345 678"), [twinB.id]);
  assert.deepEqual(await find(otherOrg, anna.number), [], "G's number in another group");
});

Deno.test("pages of a q: name order, every match once, across page boundaries", async () => {
  const group = await newGroup();
  // Equal names (the id breaks the tie), mixed case, matches by name and by email only.
  const matching = [];
  for (const name of ["Zoe Lee", "lee Adams", "Lee Adams", "LEE ADAMS", "Abe Leeming", "Lee"]) {
    matching.push(await add(group, { name, email: `${name.replace(/ /g, ".")}@example.com` }));
  }
  matching.push(await add(group, { name: "Xavier Quinn", email: "x@fleet.example" }));
  await add(group, { name: "Lea", email: "lea@example.com" });
  await add(group, { name: "Kim Ng", email: "kim@example.com", phone: "+44 7700 900123" });
  const byKey = (a: { name: string; id: string }, b: { name: string; id: string }) => {
    const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  const expected = ids(matching.toSorted(byKey) as CustomerHit[]);
  assert.equal(expected.length, 7);

  for (const size of [1, 2, 3, 6, 7, 50]) {
    const seen: string[] = [];
    let after: [string, string] | undefined;
    let pages = 0;
    while (true) {
      assert.ok(++pages <= 8, "the pages end");
      const rows = await searchCustomers(db, group, { q: "lee", limit: size + 1, after });
      const result = page(rows, size, (r) => [r.sort_key, r.id]);
      seen.push(...ids(result.items));
      if (!result.nextCursor) break;
      const last = result.items.at(-1)!;
      after = [last.sort_key, last.id];
    }
    assert.deepEqual(seen, expected, `pages of ${size}: no repeat, no gap`);
    assert.equal(pages, Math.ceil(7 / size));
  }
});

Deno.test("names without their accents, in any case, find the accented name", async () => {
  const group = await newGroup();
  const marie = await add(group, { name: "Marie Lefèvre" });
  const elodie = await add(group, { name: "ÉLODIE Ørsted-Łukasz" });
  const strasse = await add(group, { name: "Jürgen Großmann" });
  assert.deepEqual(await find(group, "lefevre"), [marie.id]);
  assert.deepEqual(await find(group, "LEFÈVRE"), [marie.id]);
  assert.deepEqual(await find(group, "Lefe"), [marie.id], "a word's start");
  assert.deepEqual(await find(group, "elodie"), [elodie.id], "an accented capital");
  assert.deepEqual(await find(group, "orsted"), [elodie.id], "ø, after the first word");
  assert.deepEqual(await find(group, "lukasz"), [elodie.id], "ł, after a hyphen");
  assert.deepEqual(await find(group, "grossmann"), [strasse.id], "ß as ss");
  assert.deepEqual(await find(group, "jurgen gross"), [strasse.id], "words in a row");
  assert.deepEqual(await find(group, "efevre"), [], "still a word's start only");
});

Deno.test("a name typed surname first finds the customer", async () => {
  const group = await newGroup();
  const marie = await add(group, { name: "Marie Lefèvre" });
  const other = await add(group, { name: "Marie Durand" });
  assert.deepEqual(await find(group, "Lefèvre Marie"), [marie.id]);
  assert.deepEqual(await find(group, "lefevre mar"), [marie.id], "the last word's start");
  assert.deepEqual(await find(group, "Marie Lefèvre"), [marie.id], "in order still");
  assert.deepEqual(await find(group, "durand marie"), [other.id]);
  assert.deepEqual(await find(group, "lefevre durand"), [], "every word must be in the name");
  assert.deepEqual(await find(group, "arie lefevre"), [], "each word from its start");
});

Deno.test("a card or customer number typed in groups with spaces finds the member", async () => {
  const group = await newGroup();
  const card = await createCustomer(
    db,
    group,
    NewCustomerSchema.parse({ name: "Carded Member", categories: ["GOLD"] }),
    { ...DEFAULT_SETTINGS, generateAutomaticCustomerCard: true },
  );
  const number = card.customer.number;
  const grouped = number.replace(/(.{4})/g, "$1 ").trim();
  assert.match(grouped, / /);
  assert.deepEqual(await find(group, grouped), [card.customer.id], "spaces");
  assert.deepEqual(await find(group, number.replace(/(.{4})(?!$)/g, "$1-")), [
    card.customer.id,
  ], "hyphens");
  assert.deepEqual(await find(group, ` ${grouped.slice(0, -1)} `), [], "not a prefix");
});

Deno.test({ name: "close the database", fn: () => database.close() });
