import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTemplate, createSandbox, renderCompiled } from './liquid-sandbox.ts';
import { renderTokenParts, tokenParts } from './token-template.ts';

const engine = createSandbox();

function compiled(source: string) {
  const result = compileTemplate(engine, source);
  if (!result.ok) throw new Error(`${source}: ${result.error.message}`);
  return result.compiled;
}

const NAMESPACES = ['member', 'points', 'last', 'features', 'declared', 'offer', 'campaign', 'missing'];
const KEYS = ['first_name', 'balance', 'product', 'code', 'interest', 'tier', 'x1', 'points_balance'];

const primitive = fc.oneof(
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const value = fc.oneof(
  primitive,
  fc.array(primitive, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', 'b'), primitive),
);
const scope = fc.dictionary(
  fc.constantFrom(...NAMESPACES),
  fc.oneof(fc.dictionary(fc.constantFrom(...KEYS), value), fc.constant(null), fc.constant(undefined)),
);
// Text never holds "{", so every generated template parses to text and outputs only.
const text = fc.string({
  unit: fc.constantFrom('a', 'Z', ' ', '\n', '\t', '}', '%', '-', '"', 'é', '!', '|'),
});
const output = fc
  .tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...KEYS), fc.boolean(), fc.boolean())
  .map(([ns, key, trimLeft, trimRight]) => `{{${trimLeft ? '-' : ''} ${ns}.${key} ${trimRight ? '-' : ''}}}`);
const source = fc.array(fc.oneof(text, output), { maxLength: 8 }).map((pieces) => pieces.join(''));

describe('token templates', () => {
  it('print exactly what Liquid prints, for any text, tokens and values', () => {
    fc.assert(
      fc.property(source, scope, (template, values) => {
        const c = compiled(template);
        expect(c.parts).toBeDefined();
        // The same template with its parts taken away renders through Liquid alone.
        const throughLiquid = renderCompiled(engine, { ...c, parts: undefined }, values);
        expect(renderCompiled(engine, c, values)).toEqual(throughLiquid);
      }),
      { numRuns: 500 },
    );
  });

  it('render without Liquid: a template whose scope Liquid could not even read still renders', () => {
    const c = compiled('Hi {{ member.first_name }}, {{ points.balance }} points');
    expect(c.parts).toEqual(['Hi ', ['member', 'first_name'], ', ', ['points', 'balance'], ' points']);
    expect(renderTokenParts(c.parts ?? [], { member: { first_name: 'Ada' }, points: { balance: 420 } })).toBe(
      'Hi Ada, 420 points',
    );
  });

  it('leave templates with tags, filters, literals or special keys to Liquid', () => {
    for (const template of [
      '{% if member.tier %}x{% endif %}',
      '{{ member.first_name | upcase }}',
      '{{ "text" }}',
      '{{ member["first_name"] }}',
      '{{ member.size }}',
      '{{ member.address.city }}',
      '{{ member }}',
    ]) {
      expect(tokenParts(compiled(template).template), template).toBeUndefined();
    }
  });

  it('fall back to Liquid for a scope that is not plain records', () => {
    const c = compiled('{{ member.first_name }}');
    expect(renderTokenParts(c.parts ?? [], { member: ['not', 'a', 'record'] })).toBeUndefined();
    expect(renderCompiled(engine, c, { member: ['a'] })).toEqual({
      ok: true,
      text: String(engine.renderSync(c.template, { member: ['a'] })),
    });
  });
});
