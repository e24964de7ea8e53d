// The Workers types that the pure worker/src modules used by the simulation
// mention in signatures it never calls (routing-state.ts readRoutingFromKv).
// Node-side type checking only; the Worker itself is checked with
// @cloudflare/workers-types (worker/tsconfig.json).
interface KVNamespace {
  get(key: string, options?: unknown): Promise<unknown>;
}
