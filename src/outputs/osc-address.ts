/**
 * Labels become parts of OSC addresses. OSC reserves space, `#*,/?[]{}` in address parts, so each
 * label gets a safe name, and the page shows the mapping to the user.
 */

/** A string OSC accepts as one address part: reserved characters and spaces become `_`. */
export function safeAddressPart(label: string): string {
  const safe = label.trim().replace(/[\s#*,/?[\]{}]/g, '_');
  return safe === '' ? '_' : safe;
}

/**
 * Safe names for a list of labels, distinct even when two labels map to the same text
 * (`a b` and `a_b` → `a_b`, `a_b_2`).
 */
export function addressParts(labels: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  const used = new Set<string>();
  for (const label of labels) {
    const base = safeAddressPart(label);
    let part = base;
    for (let i = 2; used.has(part); i++) part = `${base}_${i}`;
    used.add(part);
    map.set(label, part);
  }
  return map;
}

/** Throws a RangeError unless `prefix` is a valid OSC address prefix such as `/tw`. */
export function checkPrefix(prefix: string): void {
  if (!/^(\/[^\s#*,/?[\]{}]+)+$/.test(prefix)) {
    throw new RangeError(`The OSC prefix must look like /tw or /my/patch (no spaces or #*,?[]{}), got '${prefix}'.`);
  }
}
