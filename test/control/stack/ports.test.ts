// Covers control/src/stack/ports.ts: a free port passes; a port something
// listens on is a usage error (exit 2) that names the port, the part and the
// flag that moves it.
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { assertPortsFree, probePort } from "../../../control/src/stack/ports.js";
import { freePort } from "../../helpers/stack.js";

let blocker: Server | undefined;
afterEach(() => {
  blocker?.close();
  blocker = undefined;
});

describe("assertPortsFree", () => {
  it("passes for free ports", async () => {
    const port = await freePort();
    expect(await probePort("127.0.0.1", port)).toBeNull();
    await expect(assertPortsFree([{ port, host: "127.0.0.1", part: "router", flag: "--router-port" }])).resolves.toBeUndefined();
  });

  it("names the port, the part and the flag of a busy port", async () => {
    const [free, busy] = [await freePort(), await freePort()];
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(busy, "127.0.0.1", resolve));
    const claims = [
      { port: free, host: "127.0.0.1", part: "blue model server", flag: "--blue-port" },
      { port: busy, host: "127.0.0.1", part: "green model server", flag: "--green-port" },
    ];
    const err = await assertPortsFree(claims).then(() => null, (e: unknown) => e as { message: string; exitCode: number; hint: string });
    expect(err?.message).toBe(`port ${busy} (green model server) is already in use — stop whatever listens there or pass --green-port.`);
    expect(err?.exitCode).toBe(2);
    expect(err?.hint).toContain(`sport = :${busy}`);
  });
});
