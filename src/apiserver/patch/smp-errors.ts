// The errors strategic merge patch can raise, with upstream's messages (apimachinery's mergepatch
// package) and the HTTP status upstream's patch handler gives them. Upstream answers the generic
// ones (unknown directive, missing merge key, wrong element type) with a 500 because they are plain
// Go errors; a malformed patch is the client's fault, so here they are 400 BadRequest.
import { ApiError, badRequest } from '../../api/errors.ts';
import { goString, goTypeName, goValue } from './go-format.ts';

/** The body upstream's 422 answers carry (NewGenericServerResponse for StatusUnprocessableEntity). */
const UNPROCESSABLE = 'the server rejected our request due to an error in our request';

export const BAD_JSON_DOC = 'invalid JSON document';
export const NO_LIST_OF_LISTS = 'lists of lists are not supported';
export const BAD_PRIMITIVE_LIST_FORMAT = 'invalid patch format of primitive list';
export const BAD_RETAIN_KEYS_FORMAT = 'invalid patch format of retainKeys';
export const BAD_SET_ELEMENT_ORDER_FORMAT = 'invalid patch format of setElementOrder list';
export const MERGE_DIRECTIVE_IN_LIST = 'merging lists cannot yet be specified in the patch';

export const unprocessable = (message: string): ApiError =>
  new ApiError(422, 'Invalid', `${UNPROCESSABLE}: ${message}`);

export const noListOfLists = (): ApiError => unprocessable(NO_LIST_OF_LISTS);

export const badPatchType = (directive: unknown, m: Record<string, unknown>): ApiError =>
  badRequest(`unknown patch type: ${goString(directive)} in map: ${goValue(m)}`);

export const noMergeKey = (m: unknown, key: string): ApiError =>
  badRequest(`map: ${goValue(m)} does not contain declared merge key: ${key}`);

/** `expected a map[string]interface {}, but received a string` (reflect type names). */
export const badArgType = (expected: 'map' | 'slice', actual: unknown): ApiError =>
  badRequest(
    `expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goTypeName(actual)}`,
  );

export const unknownStructField = (typeName: string, field: string): ApiError =>
  badRequest(`unable to find api field in struct ${typeName} for the json field ${JSON.stringify(field)}`);

export const mixedElementTypes = (lists: unknown[][]): ApiError =>
  badRequest(`list element types are not identical: ${goValue(lists)}`);

export const notAMapInList = (index: number): ApiError => badRequest(`value for key ${index} is not a map.`);

export const noMergeKeyForMaps = (): ApiError =>
  badRequest('cannot merge lists without merge key for type struct');

export const setOrderMismatch = (patchList: unknown[], setOrder: unknown[]): ApiError =>
  badRequest(
    `The order in patch list:\n${goValue(patchList)}\n doesn't match $setElementOrder list:\n${goValue(setOrder)}\n`,
  );
