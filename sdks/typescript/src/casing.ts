// Requests accept camelCase and snake_case keys; responses keep the API's snake_case and also
// answer to camelCase. Keys inside `metadata` are the merchant's own and never renamed.

export function toSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

export function toCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Request parameters with every key snake_case, except inside `metadata`. */
export function snakeKeys(value: unknown, inMetadata = false): unknown {
  if (Array.isArray(value)) return value.map((v) => snakeKeys(v));
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const name = inMetadata ? key : toSnake(key);
    out[name] = inMetadata ? v : snakeKeys(v, name === "metadata");
  }
  return out;
}

/**
 * A response object whose properties also answer to their camelCase names
 * (`payment.checkoutUrl`, `event.data.object.customerId`), without copying or renaming
 * anything: `JSON.stringify` still gives the API's own JSON.
 */
export function camelAliases<T>(value: T, inMetadata = false): T {
  if (Array.isArray(value)) return value.map((v) => camelAliases(v)) as T;
  if (value === null || typeof value !== "object") return value;
  const target = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(target)) {
    target[key] = inMetadata ? v : camelAliases(v, key === "metadata");
  }
  if (inMetadata) return value;
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (typeof prop === "string" && !(prop in obj)) {
        const snake = toSnake(prop);
        if (snake in obj) return Reflect.get(obj, snake, receiver);
        // `customerId` for a `customer` holding an id, as the guides write it.
        if (prop.endsWith("Id")) {
          const base = toSnake(prop.slice(0, -2));
          if (typeof obj[base] === "string") return obj[base];
        }
        // An event's `data` answers for its object (`event.data.customerId`,
        // `event.data.metadata`), as the guides write it; only event data holds an object
        // under `object` (every API object's `object` is its type's name).
        const inner = obj.object;
        if (inner !== null && typeof inner === "object" && !Array.isArray(inner)) {
          return Reflect.get(inner as object, prop);
        }
      }
      return Reflect.get(obj, prop, receiver);
    },
    has(obj, prop) {
      return typeof prop === "string" ? prop in obj || toSnake(prop) in obj : prop in obj;
    },
  }) as T;
}
