export { encodeJson } from './encode.js';
export { JsonIntegerLimitError, JsonNestingError, JsonSyntaxError } from './errors.js';
export { jsonFloatText, pyFloatRepr } from './float.js';
export { parseJson } from './parse.js';
export { toPlainJson } from './plain.js';
export { DEFAULT_MAX_JSON_BYTES, JsonFileReadError, JsonFileTooLargeError, isJsonLoadFailure, isJsonParseFailure, parseJsonSource, peekJsonStringField, readJsonFile, readJsonSource, readTextFile, type JsonSource } from './read.js';
export { pyRepr, pyStrRepr } from './repr.js';
export { Utf8DecodeError, decodeUtf8 } from './utf8.js';
export { PyFloat, isJsonInteger, isJsonObject, jsonObject, pickJson, type JsonObject, type JsonValue } from './value.js';
