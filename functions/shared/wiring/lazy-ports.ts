import type { TollgatePorts } from '../ports/tollgate-ports.js';

type PortBuilders = { readonly [K in keyof TollgatePorts]: () => TollgatePorts[K] };

/**
 * Builds each port on first access. A deploy task never touches the lock table, so it never
 * constructs a DynamoDB client or needs permission to: least privilege stays honest.
 */
export function lazyPorts(builders: PortBuilders): TollgatePorts {
  const cache = new Map<keyof TollgatePorts, unknown>();
  const bag = {} as TollgatePorts;
  for (const key of Object.keys(builders) as Array<keyof TollgatePorts>) {
    Object.defineProperty(bag, key, {
      enumerable: true,
      get() {
        if (!cache.has(key)) cache.set(key, builders[key]());
        return cache.get(key);
      },
    });
  }
  return bag;
}
