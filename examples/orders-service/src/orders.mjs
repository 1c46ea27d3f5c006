// In-memory order book. The database-backed version arrives with the data stages.
export class OrderError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'OrderError';
    this.status = status;
  }
}

export class OrderBook {
  #orders = [];
  #nextId = 1;

  list() {
    return [...this.#orders];
  }

  get(id) {
    return this.#orders.find((o) => o.id === id);
  }

  add(input) {
    if (typeof input !== 'object' || input === null) throw new OrderError(400, 'order must be a JSON object');
    const { customer, items } = input;
    if (typeof customer !== 'string' || customer.trim() === '') {
      throw new OrderError(400, 'customer must be a non-empty string');
    }
    if (!Array.isArray(items) || items.length === 0)
      throw new OrderError(400, 'items must be a non-empty array');
    for (const item of items) {
      if (typeof item?.sku !== 'string' || !Number.isInteger(item?.quantity) || item.quantity < 1) {
        throw new OrderError(400, 'each item needs a string "sku" and a positive integer "quantity"');
      }
    }
    const order = {
      id: this.#nextId++,
      customer,
      items: items.map(({ sku, quantity }) => ({ sku, quantity })),
      status: 'placed',
    };
    this.#orders.push(order);
    return order;
  }
}
