/** cairn's version, as published in package.json. */
export const CAIRN_VERSION = '0.1.0';
