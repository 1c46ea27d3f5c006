import type { Client } from 'pg';

export interface SeedOptions {
  readonly customers?: number;
  readonly orders?: number;
  readonly seed?: number;
}

export interface SeedResult {
  readonly customers: number;
  readonly orders: number;
  /** Customers whose address equals another customer's under lower(). */
  readonly sharedEmailCustomers: number;
}

export function createRandom(seed: number): () => number;
export function seedProd(client: Client, options?: SeedOptions): Promise<SeedResult>;
