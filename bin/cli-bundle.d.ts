/** The bundle's entry URL when it is present and fresh under `packageRoot` (a directory URL), else null. */
export function freshCliBundle(packageRoot: URL): string | null;
