// Runs in Node before the workerd project: starts what the Worker under test
// talks to on loopback and hands their addresses to the Worker's bindings.
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    workerBindings: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide("workerBindings", {});
  return async () => {};
}
