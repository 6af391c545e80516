import assert from "node:assert/strict";
import { addMember, addOwner, bearerFor, problemOf, withApp } from "../helpers/app.ts";

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

Deno.test("roles: only the owner creates organizations; only admins invite staff", () =>
  withApp(async (t) => {
    await addOwner(t);
    const ownerToken = await bearerFor(t, "owner@example.com");
    const created = await t.request(
      "/api/admin/v1/organizations",
      json({ name: "Acme" }, { Authorization: `Bearer ${ownerToken}` }),
    );
    assert.equal(created.status, 201);
    const org = await created.json();
    for (const role of ["admin", "marketing", "support"] as const) {
      await addMember(t, org.id, role, `${role}@example.com`);
    }
    let n = 0;
    for (
      const [email, expected] of [
        ["owner@example.com", 201],
        ["admin@example.com", 201],
        ["marketing@example.com", 403],
        ["support@example.com", 403],
      ] as const
    ) {
      const token = await bearerFor(t, email);
      const res = await t.request(
        `/api/admin/v1/organizations/${org.id}/staff`,
        json({ email: `new${n++}@example.com`, name: "New", role: "support" }, {
          Authorization: `Bearer ${token}`,
        }),
      );
      assert.equal(res.status, expected, email);
      if (expected === 403) {
        assert.equal((await problemOf(res)).type, "https://loyalty-edge.dev/problems/forbidden");
      } else await res.body?.cancel();
      const orgCreate = await t.request(
        "/api/admin/v1/organizations",
        json({ name: "Mine" }, { Authorization: `Bearer ${token}` }),
      );
      assert.equal(orgCreate.status, email.startsWith("owner") ? 201 : 403, email);
      await orgCreate.body?.cancel();
    }
    const nobody = await t.request("/api/admin/v1/organizations", json({ name: "X" }));
    assert.equal(nobody.status, 401);
    await nobody.body?.cancel();
  }));
