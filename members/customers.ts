import {
  type ExpressionBuilder,
  type RawBuilder,
  type Selectable,
  type SelectQueryBuilder,
  sql,
} from "kysely";
import { jsonArrayFrom, jsonObjectFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { Db } from "../db/connection.ts";
import { isUniqueViolation, isUuid } from "../db/errors.ts";
import type { CustomerTable, Database, InstrumentStatus } from "../db/schema.ts";
import { ProblemError, validationError } from "../errors/problem.ts";
import type { Account } from "./accounts.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import { groupTimeZone } from "../programme/merchants.ts";
import { generateNumber } from "../instruments/numbers.ts";
import { customerStatus, type LoyaltySettings } from "../programme/settings_schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { type AuditActor, recordAudit } from "../audit/log.ts";
import { reusable } from "../db/compiled.ts";
import { CUSTOMER_POINTS, POINTS } from "../ledger/accounts.ts";
import type { CustomerFigures } from "./statistics.ts";
import { enqueueNewMemberEmail } from "../email/outbox.ts";
import { canonicalPhone, phoneDigits } from "../phones/canonical.ts";

export type Customer = Selectable<CustomerTable>;

export interface Card {
  number: string;
  status: InstrumentStatus;
  /** Number prefix of the card's series ("" for automatic customer cards). */
  prefix: string;
}

/** A customer with what the console and the POS show beside them. */
export interface CustomerDetail {
  customer: Customer;
  homeStoreNumber: number | null;
  accounts: Account[];
  cards: Card[];
}

export const Phone = z.string().trim()
  .regex(/^\+?[0-9 ().\/-]+$/, "digits, spaces, ( ) . / - and a leading +")
  .transform(phoneDigits)
  .refine((p) => /^\+?[0-9]{6,15}$/.test(p), "6 to 15 digits");
export const Email = z.string().trim().max(254, "at most 254 characters").pipe(
  z.email("not an email address"),
);
/** Customer and card numbers: letters and digits, compared upper-cased. */
const CustomerNumber = z.string().trim().toUpperCase()
  .regex(/^[0-9A-Z]{1,32}$/, "1 to 32 letters or digits");
/** Category codes are compared as the settings' code lists compare them: trimmed, upper-cased. */
export const CategoryCode = z.string().trim().toUpperCase().max(20, "at most 20 characters");

/**
 * A new customer, as the console and the POS send it. `categories[i]` is the code of category
 * i + 1; category 1 (the customer type) is required, 2–5 may be null or empty.
 */
export const NewCustomerSchema = z.object({
  number: CustomerNumber.optional().describe("generated when absent"),
  name: z.string().trim().min(1, "must not be empty").max(200, "at most 200 characters"),
  email: Email.nullish(),
  phone: Phone.nullish(),
  homeStoreNumber: z.number({ error: "must be a number" }).int("must be a whole number")
    .min(1, "must be 1 or more").max(99_999_999, "at most 99999999").nullish()
    .describe("a store of the programme"),
  categories: z.array(CategoryCode.nullable())
    .min(1, "category 1 (the customer type) is required").max(5, "at most 5 categories")
    .refine((c) => !!c[0], { message: "category 1 (the customer type) is required", path: [0] })
    .describe("category codes 1–5; category 1 is the customer type"),
}).strict();

export type NewCustomer = z.output<typeof NewCustomerSchema>;

const numberTaken = (message: string) =>
  new ProblemError(409, "customer-number-taken", "The customer number is in use", {
    errors: [{ field: "number", message }],
  });

/** 1–9 from the CSPRNG: a customer number never starts with 0, which spreadsheets drop. */
function leadingDigit(): string {
  const byte = new Uint8Array(1);
  do crypto.getRandomValues(byte); while (byte[0] >= 252);
  return String(1 + (byte[0] % 9));
}

/** A fresh customer number: 16 random digits and a Luhn check digit, never starting with 0. */
const newCustomerNumber = () => generateNumber("loyalty-card", leadingDigit());

/**
 * The series automatic customer cards belong to: the group's loyalty-card series without a
 * prefix (card numbers are customer numbers, so no prefix applies). Created on first use as
 * "Customer cards" in the currency most of the group's series use (ties: alphabetical; none:
 * EUR). A group has one series per prefix, so a prefix-less series of another type blocks it.
 */
async function customerCardSeries(tx: Db, group: MerchantGroup) {
  const find = () =>
    tx.selectFrom("series").selectAll()
      .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
      .where("prefix", "=", "").executeTakeFirst();
  let series = await find();
  if (!series) {
    const used = await tx.selectFrom("series").select("currency")
      .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
      .groupBy("currency").orderBy(sql`count(*)`, "desc").orderBy("currency").limit(1)
      .executeTakeFirst();
    // Concurrent first customers race here: the loser's insert waits, then does nothing.
    await tx.insertInto("series").values({
      org_id: group.org_id,
      group_id: group.id,
      name: "Customer cards",
      type: "loyalty-card",
      prefix: "",
      currency: used?.currency ?? "EUR",
    }).onConflict((oc) => oc.constraint("series_group_prefix").doNothing()).execute();
    series = await find();
  }
  if (series?.type !== "loyalty-card") {
    throw new ProblemError(
      409,
      "customer-card-series",
      "Automatic customer cards need the series without prefix to be a loyalty-card series",
      { detail: `the series "${series?.name}" has no prefix and is of type ${series?.type}` },
    );
  }
  return series;
}

type CustomersQuery = SelectQueryBuilder<Database, "customers", Customer>;

/**
 * The customers `pick` chooses, each with home store number, accounts and loyalty cards, in
 * one query of plain joins (a customer holds an account or two and a card or two, so the rows
 * multiply little); `toDetails` folds the rows back. Plain joins, not JSON aggregates: a third
 * cheaper on Postgres and on PGlite, measured.
 */
function detailQuery(db: Db, pick: (customers: CustomersQuery) => CustomersQuery) {
  return db.selectFrom(pick(db.selectFrom("customers").selectAll()).as("c"))
    .leftJoin(
      "stores as st",
      (j) => j.onRef("st.id", "=", "c.home_store_id").onRef("st.org_id", "=", "c.org_id"),
    )
    .leftJoin(
      "accounts as a",
      (j) => j.onRef("a.customer_id", "=", "c.id").onRef("a.org_id", "=", "c.org_id"),
    )
    .leftJoin(
      (eb) =>
        eb.selectFrom("instruments as i").innerJoin("series as s", "s.id", "i.series_id")
          .select(["i.number", "i.status", "s.prefix", "i.customer_id", "i.org_id", "i.created_at"])
          .where("s.type", "=", "loyalty-card").as("card"),
      (j) => j.onRef("card.customer_id", "=", "c.id").onRef("card.org_id", "=", "c.org_id"),
    )
    .selectAll("c")
    .select([
      "st.number as home_store_number",
      "a.id as account_id",
      "a.type as account_type",
      "a.created_at as account_created_at",
      "card.number as card_number",
      "card.status as card_status",
      "card.prefix as card_prefix",
    ])
    .orderBy("c.created_at").orderBy("c.id").orderBy("a.created_at").orderBy("a.id")
    .orderBy("card.created_at").orderBy("card.number");
}

type DetailRow = Customer & {
  home_store_number: number | null;
  account_id: string | null;
  account_type: string | null;
  account_created_at: Date | null;
  card_number: string | null;
  card_status: InstrumentStatus | null;
  card_prefix: string | null;
};

/** The rows of `detailQuery`, folded back into one detail per customer, in their order. */
function toDetails(rows: DetailRow[]): CustomerDetail[] {
  const details = new Map<string, CustomerDetail>();
  for (const row of rows) {
    const {
      home_store_number,
      account_id,
      account_type,
      account_created_at,
      card_number,
      card_status,
      card_prefix,
      ...customer
    } = row;
    let detail = details.get(customer.id);
    if (!detail) {
      detail = { customer, homeStoreNumber: home_store_number, accounts: [], cards: [] };
      details.set(customer.id, detail);
    }
    if (account_id && !detail.accounts.some((a) => a.id === account_id)) {
      detail.accounts.push({
        id: account_id,
        org_id: customer.org_id,
        customer_id: customer.id,
        type: account_type!,
        created_at: account_created_at!,
      });
    }
    if (card_number && !detail.cards.some((c) => c.number === card_number)) {
      detail.cards.push({ number: card_number, status: card_status!, prefix: card_prefix! });
    }
  }
  return [...details.values()];
}

/** What a new customer's insert must know first, in one query (no home store: -1). */
const PREFLIGHT = reusable((
  db,
  groupId: string,
  orgId: string,
  number: string,
  homeStoreNumber: number,
) =>
  db.selectNoFrom((eb) => [
    eb.exists(
      eb.selectFrom("customers").select("id")
        .where("group_id", "=", groupId).where("number", "=", number),
    ).as("customer_taken"),
    jsonObjectFrom(
      eb.selectFrom("instruments as i").innerJoin("series as s", "s.id", "i.series_id")
        .select(["i.id", "i.customer_id", "i.status", "s.type"])
        .where("i.group_id", "=", groupId).where("i.number", "=", number),
    ).as("instrument"),
    jsonArrayFrom(
      eb.selectFrom("stores as s")
        .innerJoin("merchant_stores as ms", "ms.store_id", "s.id")
        .innerJoin("merchants as m", "m.id", "ms.merchant_id")
        .select(["s.id", "s.timezone"])
        .where("m.group_id", "=", groupId).where("s.org_id", "=", orgId)
        .where("s.number", "=", homeStoreNumber).limit(2),
    ).as("home_stores"),
    jsonObjectFrom(
      eb.selectFrom("series").select(["id", "type"])
        .where("group_id", "=", groupId).where("org_id", "=", orgId)
        .where("prefix", "=", ""),
    ).as("card_series"),
  ])
);

const preflight = async (tx: Db, group: MerchantGroup, number: string, homeStore?: number | null) =>
  (await PREFLIGHT(tx, group.id, group.org_id, number, homeStore ?? -1))[0];

/**
 * Creates a customer with, per the settings, the automatic card (number = customer number)
 * and an account of the default account type — all in one transaction (the caller's, if it
 * is one), in two statements: what must be checked, then one insert of all three rows. A
 * given number in use is a 409 on `number`; an unknown home store a 422. Staff's creations
 * (`actor`) are audited; a POS's are not, as its sales are not (its request log has them).
 * The phone is stored canonical (E.164) in the country of the home store, else of the store
 * the customer is created at (`storeZone`: the POS's), else of the programme.
 */
export async function createCustomer(
  db: Db,
  group: MerchantGroup,
  input: NewCustomer,
  settings: LoyaltySettings,
  actor?: AuditActor,
  storeZone?: string,
): Promise<CustomerDetail> {
  const categories = input.categories.map((c) => c ?? "");
  while (categories.length && !categories[categories.length - 1]) categories.pop();
  const autoCard = settings.generateAutomaticCustomerCard;
  try {
    return await inTransaction(db, async (tx) => {
      let number = input.number ?? newCustomerNumber();
      let pre = await preflight(tx, group, number, input.homeStoreNumber);
      // A generated number is drawn again until free as a customer and as an instrument
      // number, so the automatic card can take it whenever the setting is switched on.
      while (!input.number && (pre.customer_taken || pre.instrument)) {
        number = newCustomerNumber();
        pre = await preflight(tx, group, number, input.homeStoreNumber);
      }
      if (input.homeStoreNumber && pre.home_stores.length !== 1) {
        throw validationError([{
          field: "homeStoreNumber",
          message: pre.home_stores.length
            ? "several stores of this programme have this number"
            : "not a store of this programme",
        }]);
      }
      if (pre.customer_taken) throw numberTaken("another customer has this number");
      /** A pre-printed loyalty card of the programme, not yet anyone's, that takes the number. */
      let printedCardId: string | undefined;
      if (autoCard && pre.instrument) {
        const i = pre.instrument;
        const free = i.type === "loyalty-card" && !i.customer_id &&
          (i.status === "inactive" || i.status === "active");
        if (!free) throw numberTaken("a card or instrument of the programme has this number");
        printedCardId = i.id;
      }
      let seriesId = pre.card_series?.type === "loyalty-card" ? pre.card_series.id : undefined;
      if (autoCard && !printedCardId && !seriesId) {
        seriesId = (await customerCardSeries(tx, group)).id;
      }
      const { accounts, cards, ...inserted } = await insertCustomer(tx, group, {
        number,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone
          ? canonicalPhone(
            input.phone,
            pre.home_stores[0]?.timezone ?? storeZone ?? await groupTimeZone(tx, group),
          )
          : null,
        home_store_id: pre.home_stores[0]?.id ?? null,
        categories,
      }, {
        card: printedCardId
          ? { claim: printedCardId }
          : autoCard
          ? { issueIn: seriesId! }
          : undefined,
        accountType: settings.defaultAccountType,
      });
      // A loyalty member is welcomed (a plain customer is not a member); in this transaction,
      // so there is no member without the email and no email without the member.
      if (settings.sendNewMemberEmail && customerStatus(settings, categories).member) {
        await enqueueNewMemberEmail(tx, inserted);
      }
      if (actor) {
        await recordAudit(tx, {
          orgId: group.org_id,
          entity: "customer",
          entityId: inserted.id,
          label: `${inserted.name} (${inserted.number})`,
          action: "create",
          actor,
          before: null,
          after: {
            number: inserted.number,
            name: inserted.name,
            email: inserted.email,
            phone: inserted.phone,
            categories: inserted.categories,
            homeStoreNumber: input.homeStoreNumber ?? null,
            cards: cards.map((c) => c.number),
          },
        });
      }
      return {
        customer: inserted,
        homeStoreNumber: input.homeStoreNumber ?? null,
        // JSON has no dates: the account's time comes back as text.
        accounts: accounts.map((a) => ({ ...a, created_at: new Date(a.created_at) })),
        cards,
      };
    });
  } catch (err) {
    // Two creations with the same number at once: the loser lands here.
    if (isUniqueViolation(err, "customers_group_number")) {
      throw numberTaken("another customer has this number");
    }
    if (isUniqueViolation(err, "instruments_group_number")) {
      throw numberTaken("a card or instrument of the programme has this number");
    }
    throw err;
  }
}

/** The prefix of a returned instrument's series, as `Card.prefix`. */
const seriesPrefix = (eb: ExpressionBuilder<Database, "instruments">) =>
  eb.selectFrom("series").select("series.prefix")
    .whereRef("series.id", "=", "instruments.series_id").$asScalar().$notNull().as("prefix");

type NewCustomerRow = Pick<
  Customer,
  "number" | "name" | "email" | "phone" | "home_store_id" | "categories"
>;

/**
 * The insert of a new customer with their card and first account, as one statement compiled
 * once per shape: the card is claimed (a pre-printed card by id) or issued (in a series by
 * id; `withCard` false when the programme issues no automatic card).
 */
const insertStatement = (claim: boolean) =>
  reusable((
    db,
    orgId: string,
    groupId: string,
    number: string,
    name: string,
    email: string | null,
    phone: string | null,
    homeStoreId: string | null,
    categories: string[],
    accountType: string,
    cardOrSeriesId: string | null,
    withCard: boolean,
  ) =>
    db
      .with("c", (db) =>
        db.insertInto("customers").values({
          number,
          name,
          email,
          phone,
          home_store_id: homeStoreId,
          categories,
          org_id: orgId,
          group_id: groupId,
        }).returningAll())
      .with("card", (db) =>
        claim
          ? db.updateTable("instruments")
            .set({ customer_id: sql`(select id from c)`, status: "active" })
            .where("id", "=", cardOrSeriesId).where("org_id", "=", orgId)
            .where(sql<boolean>`${withCard}`)
            .returning((eb) => ["number", "status", seriesPrefix(eb)])
          : db.insertInto("instruments")
            .columns(["org_id", "group_id", "series_id", "number", "status", "customer_id"])
            .expression((eb) =>
              eb.selectFrom("c").select([
                sql<string>`${orgId}::uuid`.as("org_id"),
                sql<string>`${groupId}::uuid`.as("group_id"),
                sql<string>`${cardOrSeriesId}::uuid`.as("series_id"),
                "c.number",
                sql<InstrumentStatus>`'active'`.as("status"),
                "c.id",
              ]).where(sql<boolean>`${withCard}`)
            )
            .returning((eb) => ["number", "status", seriesPrefix(eb)]))
      .with("a", (db) =>
        db.insertInto("accounts").columns(["org_id", "customer_id", "type"])
          .expression((eb) =>
            eb.selectFrom("c").select([
              "c.org_id",
              "c.id",
              sql<string>`${accountType}`.as("type"),
            ])
          )
          .returningAll())
      .selectFrom("c").selectAll("c")
      .select((eb) => [
        jsonArrayFrom(eb.selectFrom("a").selectAll("a")).as("accounts"),
        jsonArrayFrom(eb.selectFrom("card").select(["card.number", "card.status", "card.prefix"]))
          .as("cards"),
      ])
  );
const INSERT_CLAIMING = insertStatement(true);
const INSERT_ISSUING = insertStatement(false);

/**
 * The customer, their loyalty card (claimed pre-printed, or issued) and their first account,
 * in one statement. A new customer holds no account yet, so any max accounts allows one.
 */
async function insertCustomer(
  tx: Db,
  group: MerchantGroup,
  v: NewCustomerRow,
  with_: { card?: { claim: string } | { issueIn: string }; accountType: string },
) {
  const { card, accountType } = with_;
  const common = [
    group.org_id,
    group.id,
    v.number,
    v.name,
    v.email,
    v.phone,
    v.home_store_id,
    v.categories,
    accountType,
  ] as const;
  const [inserted] = card && "claim" in card
    ? await INSERT_CLAIMING(tx, ...common, card.claim, true)
    : await INSERT_ISSUING(tx, ...common, card?.issueIn ?? null, card !== undefined);
  return inserted;
}

export async function getCustomer(db: Db, id: string): Promise<Customer | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("customers").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Accounts, loyalty cards and home store number of a customer, in one query. */
export async function customerDetail(db: Db, customer: Customer): Promise<CustomerDetail> {
  const rows = await detailQuery(
    db,
    (q) => q.where("id", "=", customer.id).where("org_id", "=", customer.org_id),
  ).execute();
  return toDetails(rows)[0];
}

/** Category i + 1 of the customer with its display name from the settings; unset → null. */
/**
 * The codes the group's customers hold, per category (index 0 is category 1), sorted, at most
 * `limit` per category: what the rule editor offers for a customer category condition.
 */
export async function categoryCodesInUse(db: Db, groupId: string, limit = 200) {
  const rows = await sql<{ idx: number; code: string }>`
    select distinct c.idx::int as idx, c.code
    from customers, unnest(customers.categories) with ordinality as c(code, idx)
    where customers.group_id = ${groupId} and c.code is not null and c.code <> ''
    order by 1, 2`.execute(db);
  const codes: string[][] = [[], [], [], [], []];
  for (const r of rows.rows) {
    const list = codes[r.idx - 1];
    if (list && list.length < limit) list.push(r.code);
  }
  return codes;
}

export function namedCategories(customer: Customer, settings: LoyaltySettings) {
  return customer.categories.map((code, i) => ({
    code: code || null,
    name: settings.categoryNames[i],
  }));
}

export const statusOf = (customer: Customer, settings: LoyaltySettings) =>
  customerStatus(settings, customer.categories);

/** Escapes LIKE's wildcards (and its escape character) so user input matches literally. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => "\\" + ch);

/** A LIKE pattern for names and emails that start with `s`, taken literally. */
const likePrefix = (s: string) => escapeLike(s) + "%";

/** A LIKE pattern for text that contains `s`, taken literally. */
const likeContains = (s: string) => "%" + likePrefix(s);

/**
 * What separates the words of a name: white space and hyphens ("Smith-Jones"). In `q` a run of
 * them is one space; in the name each of them is a space (so "anna smith" does not find a name
 * stored with two spaces between its words, though "smith" does).
 */
const WORD_SEPARATORS = /[\s-]+/g;

/**
 * A phone number as `q` may be typed: digits, spaces, ( ) . / - and a leading +. Its
 * significant digits are its digits without leading zeros (the trunk prefix of a local number:
 * "0412 345 678" → "412345678"), which end the stored number however it was written.
 */
const PHONE_LIKE = /^\+?[0-9 ().\/-]+$/;
const MIN_PHONE_DIGITS = 6;

/** A customer or card number as people type it, in groups: "4000 0012-3456" → "400000123456". */
const compactNumber = (q: string) => q.replace(/[\s-]+/g, "").toUpperCase();

/**
 * What is typed, folded as the database folds names (migration 0016's `fold_name`: lower case,
 * no accents, separators as spaces), so "Lefèvre", "LEFEVRE" and "lefevre" read alike. In
 * SQL, not in TypeScript, so the two sides cannot drift apart; the planner folds the constant
 * once, and a prefix then stays an index range.
 */
const folded = (s: string) => sql`fold_name(${s})`;

/** A customer row with the key it is sorted by in lists (the folded name, then id). */
export type CustomerHit = Customer & { sort_key: string };

export interface CustomerSearch {
  /**
   * Customer number or card number (exact, any case, spaces between groups ignored); the words
   * of the name from their starts, in any order, accents ignored; any part of the email; a
   * phone number however written.
   */
  q?: string;
  limit: number;
  /** Sort key and id of the last customer of the previous page. */
  after?: [string, string];
}

/**
 * Customers of the group matching `q`, ordered by folded name, in one statement. `q` finds a
 * customer by:
 *
 * - customer number or loyalty card number, exactly (upper-cased, spaces and hyphens between
 *   its groups dropped: "4000 0000 0000 0017");
 * - the name, compared folded (any case, accents ignored: "lefevre" finds "Lefèvre"): one word
 *   finds any word of the name from its start ("smi" finds "Anna Smith"); several words find a
 *   name that starts with them in a row ("anna smi"), or whose later words start with the first
 *   of them and whose words start with each of the others, in any order ("Lefèvre Marie" finds
 *   "Marie Lefèvre", "carmen ort" finds "Maria del Carmen Ortega");
 * - any part of the email, in any case;
 * - a phone number: its canonical form (E.164, a national number read in the country of the
 *   programme's clock, groupTimeZone: "06 12 34 56 78" in Europe/Paris), exactly; and with
 *   at least 6 significant digits (leading zeros dropped), a stored number ending with them, so
 *   "0412 345 678" finds "+61412345678" whatever the programme's country.
 *
 * LIKE wildcards in `q` are taken literally. Lists are ordered `USING ~<~` (byte order of the
 * folded name) so the `(group_id, name_folded text_pattern_ops)` index hands rows over in
 * order.
 *
 * Each way of matching is a branch of its own (a UNION) so each can use its index (migrations
 * 0008 and 0016): the number by `customers_group_number`, the card by
 * `instruments_group_number`, the exact phone by `customers_phone`, a phone's trailing digits
 * as a prefix range of the reversed number (`customers_phone_reversed`), the name's start as a
 * range of `customers_name_folded`, a later word and words in any order by trigrams
 * (`customers_name_folded_later`, `customers_name_folded_words`), part of the email by
 * trigrams (`customers_email_trigrams`). The name, email and suffix branches each take the
 * page's first `limit` rows after the cursor in list order, so the planner picks per branch:
 * the trigram index and a sort of its few matches for a rare term, or the name-ordered index
 * walk that stops after `limit` matches for a frequent one. A term too short for trigrams (an
 * email part under 3 characters, a name word of 1 or 2 characters matches by its padded
 * word-start trigrams, but they are common) falls back to that walk: quick when the term is
 * frequent, the whole group's rows when it is rare.
 */
export async function searchCustomers(
  db: Db,
  group: MerchantGroup,
  search: CustomerSearch,
): Promise<CustomerHit[]> {
  const limit = search.limit;
  const inGroup = sql`c.group_id = ${group.id} and c.org_id = ${group.org_id}`;
  const afterOn = (key: RawBuilder<unknown>, id: RawBuilder<unknown>) =>
    search.after
      ? sql`and ${key} ~>=~ ${search.after[0]}
        and (${key} ~>~ ${search.after[0]} or ${id} > ${search.after[1]})`
      : sql``;
  const after = afterOn(sql`c.name_folded`, sql`c.id`);
  const order = sql`order by c.name_folded using ~<~, c.id limit ${limit}`;
  const q = search.q?.trim();
  if (!q) {
    const { rows } = await sql<CustomerHit>`
      select c.*, c.name_folded as sort_key from customers c
      where ${inGroup} ${after} ${order}`.execute(db);
    return rows;
  }
  const number = compactNumber(q);
  const words = q.replace(WORD_SEPARATORS, " ");
  const wordList = words.split(" ");
  const phoneLike = PHONE_LIKE.test(q);
  /** A branch that finds at most a few customers: all of them. */
  const few = (where: RawBuilder<unknown>) =>
    sql`(select c.id, c.name_folded as sort_key from customers c where ${inGroup} and ${where})`;
  /** A branch that may find many: the page's first `limit` of them. */
  const many = (where: RawBuilder<unknown>) =>
    sql`(select c.id, c.name_folded as sort_key from customers c
      where ${inGroup} and ${where} ${after} ${order})`;
  const branches = [
    few(sql`c.number = ${number}`),
    sql`(select c.id, c.name_folded as sort_key
      from instruments i join series s on s.id = i.series_id
        join customers c on c.id = i.customer_id
      where i.group_id = ${group.id} and i.org_id = ${group.org_id} and i.number = ${number}
        and s.type = 'loyalty-card' and ${inGroup})`,
    // The name from its start, the words of `q` in a row: a range of the name-ordered index,
    // read in order up to `limit`, so a frequent first name costs a page, not its holders.
    many(sql`c.name_folded like ${folded(likePrefix(words))}`),
    // The first word of `q` at the start of a later word of the name: " smith" like "% smi%"
    // over the name after its first word (the expression customers_name_folded_later indexes,
    // to the letter); a name that starts with it is the range above. Any further words of `q`
    // each start some word of the name, in any order ("Lefèvre Marie", "carmen ort"), by
    // trigrams of the name with a space before it (customers_name_folded_words). Led by the
    // later word, not by every word alike: the first word of a name is mostly a first name,
    // frequent, and "anna s" would otherwise put every Anna and every S through the trigrams.
    // A `q` of digits and punctuation only (a phone, a number in groups) keeps its words in a
    // row: a word of "06 12 34" in any order is no name, and its short words' trigrams are in
    // every name with a number.
    many(sql.join([
      sql`substr(c.name_folded, strpos(c.name_folded, ' '))
        like ${folded("% " + likePrefix(phoneLike ? words : wordList[0]))}`,
      ...(phoneLike ? [] : wordList.slice(1)).map((w) =>
        sql`(' ' || c.name_folded) like ${folded("% " + likePrefix(w))}`
      ),
    ], sql` and `)),
    many(sql`c.email is not null and lower(c.email) like lower(${likeContains(q)})`),
  ];
  if (phoneLike) {
    // Stored phones are canonical (phones/canonical.ts), as is what this compares them to.
    const phone = canonicalPhone(q, await groupTimeZone(db, group));
    branches.push(few(sql`c.phone = ${phone}`));
    const significant = q.replace(/\D/g, "").replace(/^0+/, "");
    if (significant.length >= MIN_PHONE_DIGITS) {
      // Ends with the digits: the reversed number starts with them. A range, not LIKE, so a
      // generic plan of the prepared statement can use the index too. Digits only, so the
      // last one plus one bounds the range ("9" + 1 is ":").
      const from = [...significant].reverse().join("");
      const to = from.slice(0, -1) + String.fromCharCode(from.charCodeAt(from.length - 1) + 1);
      branches.push(many(sql`c.phone is not null
        and reverse(c.phone) ~>=~ ${from} and reverse(c.phone) ~<~ ${to}`));
    }
  }
  // UNION drops a customer found by several branches (the same id has the same key).
  const { rows } = await sql<CustomerHit>`
    with hits as (
      select h.id, h.sort_key from (${sql.join(branches, sql` union `)}) h
      where true ${afterOn(sql`h.sort_key`, sql`h.id`)}
      order by h.sort_key using ~<~, h.id limit ${limit})
    select c.*, h.sort_key from hits h join customers c on c.id = h.id
    order by h.sort_key using ~<~, h.id`.execute(db);
  return rows;
}

/** What a POS looks a customer up by: exactly one of these. */
export type CustomerKey =
  | { card: string }
  | { number: string }
  | { email: string }
  | { phone: string };

/**
 * The customers of the group a POS lookup matches (at most two: a second one means the key
 * is ambiguous), with their detail, and each one's points balance, key line total (null when
 * `keyLineReference` is null: the programme does not show it) and statistics, in one
 * statement. A card finds its holder whatever the card's status; the POS sees the status. A
 * phone is compared in its canonical form, a national number read in the country of `timeZone`
 * (the POS's store's).
 */
export async function lookupCustomersWithFigures(
  db: Db,
  group: MerchantGroup,
  key: CustomerKey,
  keyLineReference: string | null,
  timeZone?: string,
): Promise<{ detail: CustomerDetail; figures: CustomerFigures }[]> {
  const [lookup, value] = lookupOf(key, timeZone);
  const rows = await lookup.figures(db, group.id, group.org_id, value, keyLineReference ?? "");
  const figures = new Map<string, CustomerFigures>();
  const plain = rows.map((row) => {
    const {
      points_balance,
      key_line_total,
      visits,
      sales_count,
      spend,
      first_visit,
      last_visit,
      ...detail
    } = row;
    figures.set(row.id, {
      points: Number(points_balance ?? 0),
      keyLineTotal: keyLineReference === null ? null : Number(key_line_total ?? 0),
      statistics: {
        visits: visits ?? 0,
        salesCount: sales_count ?? 0,
        spend: Number(spend ?? 0),
        firstVisit: first_visit,
        lastVisit: last_visit,
      },
    });
    return detail;
  });
  return toDetails(plain).map((detail) => ({
    detail,
    figures: figures.get(detail.customer.id)!,
  }));
}

function lookupOf(key: CustomerKey, timeZone?: string) {
  return "card" in key
    ? [LOOKUP.card, key.card.toUpperCase()] as const
    : "number" in key
    ? [LOOKUP.number, key.number.toUpperCase()] as const
    : "email" in key
    ? [LOOKUP.email, key.email] as const
    : [LOOKUP.phone, canonicalPhone(key.phone, timeZone)] as const;
}

type Picker = (q: CustomersQuery, groupId: string, value: string) => CustomersQuery;

/** The customers of a group (at most two) by one key, with their detail: a hot POS query. */
const lookupQuery = (db: Db, where: Picker, groupId: string, orgId: string, value: string) =>
  detailQuery(db, (q) =>
    where(
      q.where("group_id", "=", groupId).where("org_id", "=", orgId)
        .orderBy("created_at").orderBy("id").limit(2),
      groupId,
      value,
    ));

/**
 * The lookup with the customer's figures: the points account's balance, the key line total
 * (its entries of `reference`; nothing is summed when `reference` is empty) and the kept
 * statistics, each read by the customer's id through an index.
 */
const lookupWithFigures = (
  db: Db,
  where: Picker,
  groupId: string,
  orgId: string,
  value: string,
  reference: string,
) =>
  lookupQuery(db, where, groupId, orgId, value)
    .leftJoin("customer_statistics as cs", "cs.customer_id", "c.id")
    .select((eb) => [
      eb.selectFrom("ledger_accounts as la").select("la.balance")
        .whereRef("la.group_id", "=", "c.group_id").whereRef("la.customer_id", "=", "c.id")
        .where("la.code", "=", CUSTOMER_POINTS).where("la.unit", "=", POINTS)
        .$asScalar().as("points_balance"),
      eb.selectFrom("ledger_entries as le")
        .innerJoin("ledger_accounts as la", "la.id", "le.account_id")
        .select(sql<number>`coalesce(sum(le.amount), 0)::bigint`.as("total"))
        .whereRef("la.group_id", "=", "c.group_id").whereRef("la.customer_id", "=", "c.id")
        .where("la.code", "=", CUSTOMER_POINTS).where("la.unit", "=", POINTS)
        .where("le.reference", "=", reference).where(sql<boolean>`${reference} <> ''`)
        .$asScalar().as("key_line_total"),
      "cs.visits",
      "cs.sales_count",
      "cs.spend",
      "cs.first_visit",
      "cs.last_visit",
    ]);

const lookupBy = (where: Picker) => ({
  figures: reusable((db, groupId: string, orgId: string, value: string, reference: string) =>
    lookupWithFigures(db, where, groupId, orgId, value, reference)
  ),
});

const LOOKUP = {
  card: lookupBy((q, groupId, card) =>
    q.where(
      "id",
      "in",
      (eb) =>
        eb.selectFrom("instruments as i").innerJoin("series as s", "s.id", "i.series_id")
          .select("i.customer_id")
          .where("i.group_id", "=", groupId).where("i.number", "=", card)
          .where("s.type", "=", "loyalty-card").where("i.customer_id", "is not", null)
          .$narrowType<{ customer_id: string }>(),
    )
  ),
  number: lookupBy((q, _, number) => q.where("number", "=", number)),
  email: lookupBy((q, _, email) => q.where(sql`lower(email)`, "=", sql`lower(${email})`)),
  phone: lookupBy((q, _, phone) => q.where("phone", "=", phone)),
};

/** A card or customer number to look up, as printed in groups: spaces and hyphens dropped. */
const GroupedNumber = z.string().transform(compactNumber).pipe(CustomerNumber);

/** Validators of the POS lookup keys, shared with the route so both read keys alike. */
export const CustomerKeySchemas = {
  card: GroupedNumber,
  number: GroupedNumber,
  email: Email,
  phone: Phone,
} as const;
