export { CairnError } from './errors.js';
