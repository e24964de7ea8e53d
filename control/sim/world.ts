/**
 * Where the simulated isolates live and how much they serve. C locations
 * ranked by traffic with Zipf weights 1/rank^s (s = 1 by default: the
 * busiest location carries ~16% of the traffic at C = 250, a pessimistic
 * skew for a relay); N isolates split over the locations in proportion
 * (largest remainder), so every isolate serves the same rate; each location
 * is in one of five regions (seeded draw by the regions' shares of
 * locations) and the controller sits in the region of the busiest location,
 * where an operator's first call would have created it.
 */
import { allocate, zipfWeights } from "./engine/distributions.js";
import type { DelayClass } from "./engine/network.js";
import type { Rng } from "./engine/rng.js";

/** Regions and their shares of locations. */
export const REGIONS = [
  { name: "north-america", share: 0.3 },
  { name: "europe", share: 0.3 },
  { name: "asia-pacific", share: 0.25 },
  { name: "south-america", share: 0.08 },
  { name: "africa-middle-east", share: 0.07 },
] as const;

export interface WorldOptions {
  isolates: number;
  colos: number;
  zipf: number;
  /** Predictions per second one isolate serves… */
  ratePerIsolate: number;
  /** …unless the total would pass this; then every isolate serves total/N. */
  maxTotalRate: number;
}

export interface Colo {
  /** e.g. "C1" for the busiest. */
  name: string;
  region: number;
  /** Isolates in it. */
  isolates: number;
}

export interface World {
  colos: Colo[];
  /** Index into `colos` of each isolate. */
  isolateColo: Int32Array;
  controllerRegion: number;
  /** Predictions per second of each isolate, and of all. */
  ratePerIsolate: number;
  totalRate: number;
}

function drawRegion(rng: Rng): number {
  let u = rng.uniform();
  for (let r = 0; r < REGIONS.length; r++) {
    u -= REGIONS[r]!.share;
    if (u < 0) return r;
  }
  return REGIONS.length - 1;
}

/** Builds the locations and places the isolates. */
export function buildWorld(rng: Rng, options: WorldOptions): World {
  const weights = zipfWeights(options.colos, options.zipf);
  const counts = allocate(options.isolates, weights);
  const colos = counts.map((isolates, i) => ({ name: `C${i + 1}`, region: drawRegion(rng), isolates }));
  const isolateColo = new Int32Array(options.isolates);
  let next = 0;
  colos.forEach((colo, c) => {
    for (let k = 0; k < colo.isolates; k++) isolateColo[next++] = c;
  });
  const totalRate = Math.min(options.maxTotalRate, options.ratePerIsolate * options.isolates);
  return { colos, isolateColo, controllerRegion: colos[0]!.region, ratePerIsolate: totalRate / options.isolates, totalRate };
}

/** The delay class of a hop between a location and the controller. */
export function controllerHop(world: World, colo: number): DelayClass {
  return world.colos[colo]!.region === world.controllerRegion ? "region" : "global";
}
