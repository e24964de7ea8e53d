/** The Hono app's type: bindings from `wrangler types`, per-request variables set by app.ts. */
import type { RouterConfig } from "./config.js";
import type { IsolateState } from "./isolate.js";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: RouterConfig;
    requestId: string;
    isolate: IsolateState;
  };
}
