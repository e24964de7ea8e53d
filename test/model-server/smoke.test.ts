// Covers: the node test project runs.
import { expect, it } from "vitest";
it("runs node tests", () => { expect(typeof process.version).toBe("string"); });
