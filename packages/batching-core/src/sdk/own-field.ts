/**
 * Sets a key that comes from user data (an attribute, a map key): as an assignment does, but
 * `__proto__` is defined as an ordinary own enumerable property. Assigned, `out['__proto__'] = v`
 * sets the object's prototype (an object value) or is ignored (any other value), and the key is
 * lost from the output without a count or an error. Every exporter's mapping writes user keys
 * through this.
 */
export function setOwnField(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') defineOwnField(object, key, value);
  else object[key] = value;
}

/** A field defined on the object itself, as a literal makes one: no setter is called. */
export function defineOwnField(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
