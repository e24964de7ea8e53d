// The router Worker's module as the bench's counting wrapper sees it; esbuild
// resolves "bluegreen-router-entry" to worker/src/index.ts when bundling
// (control/bench/cost.ts). Loose on purpose: the wrapper only forwards.
declare module "bluegreen-router-entry" {
  const worker: {
    fetch(request: Request, env: Record<string, unknown>, ctx: unknown): Promise<Response>;
    scheduled(controller: unknown, env: Record<string, unknown>, ctx: unknown): unknown;
  };
  export default worker;
  export const DeploymentController: unknown;
  export const TelemetryRelay: unknown;
}
