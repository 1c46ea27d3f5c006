import { InvalidInputError } from '../../errors.js';

/** One app instance the proxy can send a request to. */
export interface RouteTarget {
  readonly port: number;
  /** The release version it runs; recorded with every request it serves. */
  readonly version?: string;
}

/** Where an environment's requests go: the baseline, and a canary taking `canaryPercent` of them. */
export interface Routes {
  readonly baseline?: RouteTarget;
  readonly canary?: RouteTarget;
  /** 0..100; with no canary it must be 0. */
  readonly canaryPercent: number;
  /** Pin a client to the release that first served it (cookie `tollgate-release`). */
  readonly sticky: boolean;
}

export const RELEASE_COOKIE = 'tollgate-release';

export interface RouteChoice {
  readonly target: RouteTarget;
  /** The cookie value to set on the response, when sticky routing picked anew. */
  readonly pin?: string;
}

/**
 * The per-request choice between baseline and canary. Weighted round robin on a credit counter,
 * not a random draw: every 100 unpinned requests send exactly `canaryPercent` to the canary, spread
 * evenly, so a canary's sample count for a window is predictable and tests need no seeded random.
 */
export class WeightedRoutes {
  private routes: Routes = { canaryPercent: 0, sticky: false };
  private credit = 0;

  get current(): Routes {
    return this.routes;
  }

  set(routes: Routes): void {
    const { canaryPercent: percent } = routes;
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new InvalidInputError(`canary percent must be an integer from 0 to 100, got ${percent}`);
    }
    if (!routes.canary && percent !== 0) {
      throw new InvalidInputError(`canary percent is ${percent} but no canary is running`);
    }
    this.routes = routes;
    this.credit = 0;
  }

  /** The target for one request; `cookie` is the request's `tollgate-release` value, if any. */
  choose(cookie: string | undefined): RouteChoice | undefined {
    const { baseline, canary, canaryPercent, sticky } = this.routes;
    if (sticky && cookie !== undefined) {
      if (baseline?.version === cookie) return { target: baseline };
      // A canary at 0% serves nobody, pinned or not: nothing serves it until traffic is shifted.
      if (canary?.version === cookie && canaryPercent > 0) return { target: canary };
    }
    const target = this.next(baseline, canary, canaryPercent);
    if (!target) return undefined;
    return sticky && target.version ? { target, pin: target.version } : { target };
  }

  private next(baseline?: RouteTarget, canary?: RouteTarget, percent = 0): RouteTarget | undefined {
    if (!canary || percent === 0) return baseline;
    if (!baseline || percent === 100) return canary;
    this.credit += percent;
    if (this.credit >= 100) {
      this.credit -= 100;
      return canary;
    }
    return baseline;
  }
}

/** The `tollgate-release` value in a Cookie header, if present. */
export function releaseCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== RELEASE_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined; // a mangled cookie is no pin: the client is routed by weight again
    }
  }
  return undefined;
}
