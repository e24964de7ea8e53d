/** The Hono app's type: bindings from `wrangler types`, per-request variables set by app.ts. */
import type { WorkerVars } from "../../contract/worker-env.js";
import type { RouterConfig } from "./config.js";
import type { IsolateState } from "./isolate.js";

declare global {
  namespace Cloudflare {
    /**
     * `wrangler types` (worker-configuration.d.ts) lists what wrangler.toml
     * sets; the vars with a default in code (contract/worker-env.ts,
     * contract/policy.ts) are not there, yet a deployment may set any of them.
     */
    interface Env extends WorkerVars {}
  }
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: RouterConfig;
    requestId: string;
    isolate: IsolateState;
  };
}
