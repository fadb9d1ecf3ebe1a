import { describe, expect, it } from 'vitest';
import { RECORD_SCHEMAS } from '../../contracts/records.ts';
import type { DemoCatalog } from './demo-defaults.ts';
import type { DemoMember } from './demo-member.ts';
import { demoMember } from './demo-member.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const SAMPLE = 300;

const KINDS = [
  ['purchases', 'purchases'],
  ['points', 'points'],
  ['engagement', 'engagement'],
  ['surveys', 'surveys'],
  ['declarations', 'declarations'],
  ['consents', 'consents'],
] as const;

function eventsOf(generated: DemoMember) {
  return KINDS.map(([field, kind]) => ({ kind, records: generated[field] as readonly unknown[] }));
}

describe('demoMember', () => {
  it('gives the same member for the same seed and index', () => {
    for (const index of [1, 2, 777, 999_999]) {
      expect(demoMember({ seed: 42, index, now: NOW })).toStrictEqual(
        demoMember({ seed: 42, index, now: NOW }),
      );
    }
  });

  it('gives a different program for a different seed', () => {
    const a = Array.from({ length: 20 }, (_, i) => demoMember({ seed: 42, index: i + 1, now: NOW }));
    const b = Array.from({ length: 20 }, (_, i) => demoMember({ seed: 43, index: i + 1, now: NOW }));
    expect(a).not.toStrictEqual(b);
    expect(a.map((m) => m.member.id)).toStrictEqual(b.map((m) => m.member.id));
  });

  it('does not depend on which members were generated before', () => {
    const alone = demoMember({ seed: 7, index: 500, now: NOW });
    for (let index = 1; index < 50; index++) demoMember({ seed: 7, index, now: NOW });
    expect(demoMember({ seed: 7, index: 500, now: NOW })).toStrictEqual(alone);
  });

  it('emits records that their contract schemas accept unchanged', () => {
    for (let index = 1; index <= SAMPLE; index++) {
      const generated = demoMember({ seed: 42, index, now: NOW });
      expect(RECORD_SCHEMAS.members.parse(generated.member)).toStrictEqual(generated.member);
      for (const { kind, records } of eventsOf(generated)) {
        for (const record of records) expect(RECORD_SCHEMAS[kind].parse(record)).toStrictEqual(record);
      }
    }
  });

  it('names members M0000001 onwards and gives events stable ids unique per kind', () => {
    const seen = new Map<string, Set<string>>();
    for (let index = 1; index <= SAMPLE; index++) {
      const generated = demoMember({ seed: 42, index, now: NOW });
      expect(generated.member.id).toBe(`M${String(index).padStart(7, '0')}`);
      for (const { kind, records } of eventsOf(generated)) {
        const ids = seen.get(kind) ?? new Set<string>();
        for (const record of records as { id: string; memberId: string }[]) {
          expect(record.memberId).toBe(generated.member.id);
          expect(record.id.startsWith(`${generated.member.id}-`)).toBe(true);
          expect(ids.has(record.id)).toBe(false);
          ids.add(record.id);
        }
        seen.set(kind, ids);
      }
    }
  });

  it('sells from the catalog it is given', () => {
    const catalog: DemoCatalog = [
      { sku: 'KOMBUCHA', category: 'drinks', description: 'Kombucha', price: 3.5 },
      { sku: 'JUICER', category: 'kit', description: 'Juicer', price: 80 },
    ];
    const skus = new Set<string>();
    for (let index = 1; index <= 100; index++) {
      for (const purchase of demoMember({ seed: 1, index, now: NOW, catalog }).purchases) {
        for (const item of purchase.items ?? []) skus.add(item.sku);
      }
    }
    expect([...skus].sort()).toStrictEqual(['JUICER', 'KOMBUCHA', 'SHIPPING']);
  });
});
