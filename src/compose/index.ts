// docker-compose files → Kubernetes objects. `loadProject` reads and merges the files;
// `convertProject` maps the project to objects in apply order plus warnings.
export {
  ComposeConvertError,
  DEFAULT_STORAGE_CLASS,
  DEFAULT_VOLUME_SIZE,
  DEFAULT_WAIT_IMAGE,
} from './context.ts';
export { convertProject } from './convert.ts';
export { InterpolationError, interpolateString } from './interpolate.ts';
export { ComposeLoadError, DEFAULT_FILES, type LoadOptions, loadProject } from './load.ts';
export {
  FIELD_MANAGER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  PROJECT_LABEL,
  projectLabels,
  SERVICE_LABEL,
} from './names.ts';
export { formatWarning, toYamlDocuments } from './output.ts';
export type {
  ComposeProject,
  ComposeService,
  ComposeWarning,
  ConvertOptions,
  ConvertResult,
} from './types.ts';
