// The shapes the loader produces and the converter consumes. Compose files are loosely typed JSON
// (every key has several forms); the loader normalizes the forms the converter relies on.
import type { KObject } from '../api/object.ts';

/** A parsed YAML value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonMap = { [k: string]: Json };

/** A key the converter could not map soundly: never dropped silently. */
export interface ComposeWarning {
  /** The compose service it concerns; absent for top-level keys. */
  service?: string;
  /** The key path, e.g. `build`, `deploy.placement`, `networks.front.ipam`. */
  key: string;
  message: string;
}

/** A service after loading: forms normalized (maps for environment/labels/depends_on/networks). */
export interface ComposeService {
  name: string;
  /** Every key of the service as written (after interpolation, extends and merging). */
  raw: JsonMap;
  /** Environment after env_file and `environment` (map form wins over files), in order. */
  environment: [string, string][];
  /** depends_on in long form: dependency → condition. */
  dependsOn: Map<string, DependsOn>;
}

export interface DependsOn {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required: boolean;
}

export interface ComposeProject {
  name: string;
  /** The project directory: relative paths (bind mounts, config files) are resolved against it. */
  workingDir: string;
  services: ComposeService[];
  /** Top-level sections (after merging), keyed by their compose name. */
  networks: Record<string, JsonMap>;
  volumes: Record<string, JsonMap>;
  configs: Record<string, JsonMap>;
  secrets: Record<string, JsonMap>;
  /** Top-level keys that are neither sections nor extensions (`include`, `models`, …). */
  otherKeys: Record<string, Json>;
  /** The environment interpolation used (configs/secrets with `environment:` read from it). */
  env: Record<string, string | undefined>;
  warnings: ComposeWarning[];
}

export interface ConvertOptions {
  /** Namespace of every object; default: the project name. */
  namespace?: string;
  /** Image of the init containers that wait for dependencies; default `busybox:1.36`. */
  waitImage?: string;
  /** Size requested by the PersistentVolumeClaim of each named volume; default `1Gi`. */
  volumeSize?: string;
  /** StorageClass of those claims; default `local-path`. */
  storageClassName?: string;
  /** Read a config/secret `file:` (absolute path); default `fs.readFileSync`. */
  readFile?: (path: string) => Buffer;
}

/**
 * What `convert` produces: objects in apply order (Namespace first, then what pods mount, then
 * Services and policies, then workloads) so `kubectl apply -f -` and a server-side apply loop
 * under the field manager `skiff-compose` can create them one by one.
 */
export interface ConvertResult {
  namespace: string;
  objects: KObject[];
  warnings: ComposeWarning[];
}
