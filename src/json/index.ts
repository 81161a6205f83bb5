export * from './value.js';
export { JsonSyntaxError, JsonNestingError, JsonIntegerLimitError, MAX_INT_DIGITS, pythonPosition } from './errors.js';
export { parseJson, MAX_JSON_DEPTH } from './parse.js';
export { encodeJson, encodeJsonString } from './encode.js';
export { pyRepr, pyStrRepr } from './repr.js';
export { pyFloatRepr, jsonFloatText } from './float.js';
export { compareCodePoints } from './order.js';
export { decodeUtf8, Utf8DecodeError, type Utf8DecodeReason } from './utf8.js';
export {
  readJsonFile,
  peekJsonStringField,
  readTextFile,
  isJsonParseFailure,
  isJsonLoadFailure,
  JsonFileTooLargeError,
  JsonFileReadError,
  DEFAULT_MAX_JSON_BYTES,
  type ReadJsonOptions,
} from './read.js';
export * from './plain.js';
