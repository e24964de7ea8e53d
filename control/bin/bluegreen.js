#!/usr/bin/env node
// `bluegreen` bin: registers tsx so the TypeScript sources run as they are,
// then hands over to the CLI (control/src/cli.ts).
import { register } from "tsx/esm/api";

register();
const { runAndExit } = await import("../src/cli.ts");
await runAndExit();
