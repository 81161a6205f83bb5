/*
 * `cairn doctor --format json`: the json reporter of the consistency checks
 * writes it, so its schema and builders live beside that reporter; this is
 * where the front ends take them from, like every other document.
 */
export { DoctorOutputSchema, doctorJsonDocument, findingJson, type FindingJson } from '../consistency/index.js';
