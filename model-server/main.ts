/**
 * The model server's program: `node --import tsx model-server/main.ts`
 * (`npm run model-server`), what the launcher and the tests start, and
 * `node dist/model-server/main.js` once built (the container image). Its
 * interface is the process's: env vars in (docs/architecture.md "Env vars"),
 * the prediction API (contract/prediction.ts) out.
 */
import "./src/main.js";
