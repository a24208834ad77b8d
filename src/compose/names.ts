// Kubernetes names and labels for compose objects. Compose names allow `_`, `.` and capitals;
// Kubernetes wants DNS labels, so names are folded the same way everywhere.

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'skiff-compose';
export const PROJECT_LABEL = 'skiff.dev/compose-project';
export const SERVICE_LABEL = 'skiff.dev/compose-service';
/** Pods on compose network `n` carry `skiff.dev/compose-network.<n>: "true"`. */
export const NETWORK_LABEL_PREFIX = 'skiff.dev/compose-network.';
/** The field manager `up` uses for server-side apply of the converted objects. */
export const FIELD_MANAGER = 'skiff-compose';

/** Upstream's DNS label limit. */
const DNS_LABEL_MAX = 63;

/**
 * A compose name as a DNS-1123 label: lower case, `_`/`.`/other characters to `-`, trimmed of
 * leading/trailing dashes, at most 63 characters. Empty input gives `x`.
 */
export function toDnsLabel(name: string): string {
  const folded = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, DNS_LABEL_MAX)
    .replace(/^-+|-+$/g, '');
  return folded || 'x';
}

/** A Service name must also start with a letter (DNS-1035). */
export function toServiceName(name: string): string {
  const label = toDnsLabel(name);
  return /^[a-z]/.test(label) ? label : `s-${label}`.slice(0, DNS_LABEL_MAX).replace(/-+$/, '');
}

/** The labels every object of a project carries (and the selector of a service's pods). */
export function projectLabels(project: string, service?: string): Record<string, string> {
  const labels: Record<string, string> = {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [PROJECT_LABEL]: toDnsLabel(project),
  };
  if (service !== undefined) labels[SERVICE_LABEL] = toDnsLabel(service);
  return labels;
}

/** Label key marking membership of a compose network (the name part is at most 63 characters). */
export const networkLabel = (network: string): string => `${NETWORK_LABEL_PREFIX}${toDnsLabel(network)}`;
