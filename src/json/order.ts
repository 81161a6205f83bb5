/** Key order of the encoder: Unicode code point order, as Python sorts str. */
export { compareCodePoints } from '../util/compare.js';
