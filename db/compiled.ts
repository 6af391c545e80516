import type { Compilable, CompiledQuery } from "kysely";
import type { Db } from "./connection.ts";

/**
 * A query of the POS hot path, built and compiled by Kysely once instead of on every call
 * (building and compiling the customer lookup took about a fifth of a warm lookup's server
 * time). `build` is called once with a placeholder in place of each argument; every call then
 * runs the same SQL with the placeholders' parameters replaced by the call's arguments. So the
 * arguments must reach the query only as parameters, never shape it: a query of another shape
 * is another `reusable`. Each call is one `executeQuery`, through the executor it is given (a
 * transaction or the pool).
 */
export function reusable<A extends unknown[], R>(
  build: (db: Db, ...args: { [K in keyof A]: A[K] }) => Compilable<R>,
): (db: Db, ...args: A) => Promise<R[]> {
  let template: { query: CompiledQuery<R>; slots: number[][] } | undefined;
  return async (db, ...args) => {
    template ??= compileTemplate(db, build, args.length);
    const { query, slots } = template;
    const parameters = query.parameters.slice();
    slots.forEach((positions, i) => {
      for (const p of positions) parameters[p] = args[i];
    });
    return (await db.executeQuery<R>({ ...query, parameters })).rows;
  };
}

function compileTemplate<A extends unknown[], R>(
  db: Db,
  build: (db: Db, ...args: A) => Compilable<R>,
  arity: number,
) {
  const placeholders = Array.from({ length: arity }, (_, i) => `\u0000placeholder ${i}\u0000`);
  const query = build(db, ...placeholders as A).compile();
  const slots = placeholders.map((ph) => {
    if (query.sql.includes(ph)) throw new Error("a reusable query's argument reached its SQL");
    const positions = query.parameters.flatMap((p, i) => (p === ph ? [i] : []));
    if (!positions.length) throw new Error("a reusable query's argument is not a parameter");
    return positions;
  });
  return { query, slots };
}
