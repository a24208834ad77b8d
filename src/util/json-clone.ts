// A private copy of JSON data. API objects are JSON, and a JSON round trip copies a Pod-sized tree
// ~1.5× faster than structuredClone (measured on Node 24) — it runs several times per write.
// Not for values JSON cannot carry (undefined members are dropped, as storage would drop them).
export const jsonClone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
