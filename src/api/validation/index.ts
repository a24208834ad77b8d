// Reusable validation: names, metadata, labels and selectors, quantities, network values. Kind
// specific rules live with each kind (src/api/kinds); the registry calls validateObjectMeta /
// validateObjectMetaUpdate for every kind.
export {
  asArray,
  asRecord,
  child,
  FIELD_IMMUTABLE,
  fieldInvalidGo,
  fieldInvalidText,
  fieldNotFound,
  GE_ZERO,
  index,
  isObject,
  key,
  sameValue,
  validateEnum,
  validateImmutable,
  validateNonNegative,
  validatePositive,
} from './field-errors.ts';
export { goLabelSelector, goStringMap, goStringSlice, goValue } from './go-format.ts';
export {
  TOTAL_ANNOTATION_SIZE_LIMIT,
  validateAnnotations,
  validateLabelName,
  validateLabelSelector,
  validateLabels,
} from './labels.ts';
export {
  isCIdentifier,
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPercent,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  maxLenError,
  NAME_VALIDATORS,
  type NameRule,
  type NameValidator,
  regexError,
} from './names.ts';
export {
  CIDR_MESSAGE,
  IP_MESSAGE,
  isValidCIDR,
  isValidIP,
  PORT_PROTOCOLS,
  validateCIDR,
  validateIP,
  validatePortNumber,
  validatePortNumOrName,
  validateProtocol,
} from './network.ts';
export {
  validateFinalizers,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateOwnerReferences,
} from './object-meta.ts';
export {
  quantityAt,
  validateContainerResources,
  validateQuantityValue,
  validateResourceList,
  validateResourceName,
} from './resources.ts';
