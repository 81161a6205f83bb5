import { describe, expect, it } from 'vitest';
import { slugRuleProblem, suggestedSlug } from '../../src/migration/index.js';

describe('the slug rule of cairn new', () => {
  it('accepts lowercase words joined by single hyphens, up to 64 characters', () => {
    for (const slug of ['a', 'async-config-loader', 'v2', '2026-rename', 'x'.repeat(64)]) expect(slugRuleProblem(slug)).toBeNull();
  });

  it('names what breaks it', () => {
    expect(slugRuleProblem('')).toBe('it is empty');
    expect(slugRuleProblem('x'.repeat(65))).toBe('it has 65 characters, more than 64');
    expect(slugRuleProblem('Widget')).toBe('it has capital letters');
    expect(slugRuleProblem('-a')).toBe("it starts or ends with '-'");
    expect(slugRuleProblem('a-')).toBe("it starts or ends with '-'");
    expect(slugRuleProblem('a--b')).toBe("it has '--'");
    expect(slugRuleProblem('a_b')).toBe("it has characters other than a-z, 0-9 and '-'");
    expect(slugRuleProblem('src-cli-tasks-ts-20260402T140633')).toBe('it has capital letters');
  });

  it('suggests a name that follows it', () => {
    expect(suggestedSlug('Widget_API v2')).toBe('widget-api-v2');
    expect(suggestedSlug('--a--b--')).toBe('a-b');
    expect(suggestedSlug('___')).toBeNull();
    expect(suggestedSlug(`${'a'.repeat(63)}-bc`)).toBe('a'.repeat(63));
  });
});
