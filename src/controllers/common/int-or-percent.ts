// intstr.GetScaledValueFromIntOrPercent: an int, or "N%" of a total rounded up or down.

export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (m) {
      const exact = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(exact) : Math.floor(exact);
    }
    if (/^\d+$/.test(v)) return Number(v);
  }
  throw new TypeError(`invalid value for IntOrString: ${JSON.stringify(v)}`);
}
