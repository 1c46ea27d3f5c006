import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  LambdaFunctionNotFoundError,
  type LambdaInvocationResult,
  type LambdaInvoker,
} from '../../asl/task/lambda-invoker.js';
import { functionNameOf, jsonRoundTrip, lambdaContext, toLambdaError } from './lambda-context.js';
import type { LocalHandler } from './object-lambda-invoker.js';

export class FunctionMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionMapError';
  }
}

/**
 * Maps function names to local handler modules from a JSON file such as
 * `{"my-fn": "./handlers/my-fn.js#handler"}`; paths are relative to the file. Modules load on
 * first use.
 */
export class FunctionMapLambdaInvoker implements LambdaInvoker {
  private readonly loaded = new Map<string, Promise<LocalHandler>>();

  private constructor(private readonly entries: ReadonlyMap<string, { file: string; exportName: string }>) {}

  static async fromFile(mapPath: string): Promise<FunctionMapLambdaInvoker> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(mapPath, 'utf8'));
    } catch (err) {
      throw new FunctionMapError(`Cannot read function map ${mapPath}: ${(err as Error).message}`);
    }
    return FunctionMapLambdaInvoker.fromObject(parsed, dirname(resolve(mapPath)));
  }

  static fromObject(map: unknown, baseDir: string): FunctionMapLambdaInvoker {
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      throw new FunctionMapError('The function map must be a JSON object of "name": "./module.js#export"');
    }
    const entries = new Map<string, { file: string; exportName: string }>();
    for (const [name, spec] of Object.entries(map)) {
      if (typeof spec !== 'string' || spec.length === 0) {
        throw new FunctionMapError(
          `Function '${name}': expected "./module.js#export", got ${JSON.stringify(spec)}`,
        );
      }
      const hash = spec.lastIndexOf('#');
      const file = hash === -1 ? spec : spec.slice(0, hash);
      const exportName = hash === -1 ? 'handler' : spec.slice(hash + 1);
      if (!file || !exportName)
        throw new FunctionMapError(`Function '${name}': invalid handler spec '${spec}'`);
      entries.set(name, { file: isAbsolute(file) ? file : resolve(baseDir, file), exportName });
    }
    return new FunctionMapLambdaInvoker(entries);
  }

  async invoke(functionArn: string, payload: unknown): Promise<LambdaInvocationResult> {
    const name = functionNameOf(functionArn);
    const entry = this.entries.get(name);
    if (!entry) throw new LambdaFunctionNotFoundError(functionArn);
    let handler: LocalHandler;
    try {
      handler = await this.load(name, entry);
    } catch (thrown) {
      // AWS reports a module that fails to load as Runtime.ImportModuleError.
      const err = toLambdaError(thrown);
      return { error: { ...err, errorType: 'Runtime.ImportModuleError' } };
    }
    try {
      const result = await handler(jsonRoundTrip(payload), lambdaContext(functionArn));
      return { payload: jsonRoundTrip(result) };
    } catch (thrown) {
      return { error: toLambdaError(thrown) };
    }
  }

  private load(name: string, entry: { file: string; exportName: string }): Promise<LocalHandler> {
    let pending = this.loaded.get(name);
    if (!pending) {
      pending = import(pathToFileURL(entry.file).href).then((mod: Record<string, unknown>) => {
        const fn = mod[entry.exportName];
        if (typeof fn !== 'function') {
          throw new FunctionMapError(`${entry.file} does not export a function '${entry.exportName}'`);
        }
        return fn as LocalHandler;
      });
      this.loaded.set(name, pending);
      pending.catch(() => this.loaded.delete(name));
    }
    return pending;
  }
}
