import { createTestApp } from "./helpers/app.ts";
const t = await createTestApp();
const doc = await (await t.request("/openapi.json")).json();
for (const n of ["SaleRequest", "ReturnRequest", "QuoteRequest", "SaleTender", "ActivateRequest", "RedeemRequest", "CouponCheckRequest", "NewCustomer", "PosCustomer"]) console.log(n, JSON.stringify(doc.components.schemas[n]).slice(0, 1500));
await t.close();
