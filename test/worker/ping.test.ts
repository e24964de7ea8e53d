// Covers: the Worker boots in workerd with the project's wrangler.toml.
import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("answers the internal ping", async () => {
  const res = await SELF.fetch("http://router/__bluegreen/ping");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true });
});
