import { describe, expect, it } from 'vitest';
import { assignSchemes } from './assign-schemes.ts';
import { member, PROGRAM, scheme } from './scheme-fixtures.ts';

const rfm = scheme('rfm');
const segmentOf = (r: number, f: number, m: number) =>
  assignSchemes(member({ r_score: r, f_score: f, m_score: m }), PROGRAM, [rfm])[0]?.memberships[0]?.segment ??
  null;

// Each segment at a score triple inside it, and at its neighbours one score outside, which land in
// the segment the published table and our narrow-first order give them.
const CASES: [string, [number, number, number][], [number, number, number, string][]][] = [
  [
    'champions',
    [
      [4, 4, 4],
      [5, 5, 5],
    ],
    [
      [3, 4, 4, 'loyal'],
      [4, 3, 4, 'loyal'],
      [4, 4, 3, 'loyal'],
    ],
  ],
  [
    'cant_lose_them',
    [
      [1, 4, 4],
      [1, 5, 5],
    ],
    [
      [2, 4, 4, 'loyal'],
      [1, 3, 4, 'at_risk'],
      [1, 4, 3, 'at_risk'],
    ],
  ],
  [
    'loyal',
    [
      [2, 3, 3],
      [5, 5, 3],
    ],
    [
      [1, 3, 3, 'at_risk'],
      [2, 2, 3, 'need_attention'],
      [5, 3, 2, 'potential_loyalist'],
    ],
  ],
  [
    'new',
    [
      [4, 1, 1],
      [5, 1, 1],
    ],
    [
      [3, 1, 1, 'promising'],
      [5, 2, 1, 'potential_loyalist'],
      [5, 1, 2, 'potential_loyalist'],
    ],
  ],
  [
    'promising',
    [[3, 1, 1]],
    [
      [2, 1, 1, 'about_to_sleep'],
      [3, 2, 1, 'potential_loyalist'],
    ],
  ],
  [
    'potential_loyalist',
    [
      [3, 3, 2],
      [5, 2, 3],
    ],
    [
      [5, 4, 2, 'other'],
      [2, 3, 2, 'need_attention'],
      [5, 2, 4, 'other'],
    ],
  ],
  [
    'need_attention',
    [
      [2, 2, 2],
      [2, 3, 2],
    ],
    [
      [2, 2, 1, 'about_to_sleep'],
      [2, 4, 2, 'at_risk'],
      [1, 2, 2, 'at_risk'],
    ],
  ],
  [
    'about_to_sleep',
    [
      [2, 1, 1],
      [2, 1, 2],
    ],
    [
      [1, 1, 2, 'hibernating'],
      [2, 1, 3, 'other'],
    ],
  ],
  [
    'at_risk',
    [
      [1, 2, 2],
      [2, 5, 2],
    ],
    [
      [1, 1, 2, 'hibernating'],
      [3, 4, 2, 'other'],
    ],
  ],
  [
    'lost',
    [[1, 1, 1]],
    [
      [2, 1, 1, 'about_to_sleep'],
      [1, 2, 1, 'hibernating'],
      [1, 1, 2, 'hibernating'],
    ],
  ],
  [
    'hibernating',
    [
      [1, 2, 1],
      [1, 1, 2],
    ],
    [
      [1, 2, 2, 'at_risk'],
      [1, 1, 3, 'other'],
    ],
  ],
];

describe('the RFM scheme', () => {
  for (const [segment, inside, outside] of CASES) {
    it(`places ${segment} at its scores and its neighbours elsewhere`, () => {
      for (const [r, f, m] of inside) expect(segmentOf(r, f, m), `${r}${f}${m}`).toBe(segment);
      for (const [r, f, m, other] of outside) expect(segmentOf(r, f, m), `${r}${f}${m}`).toBe(other);
    });
  }

  it('has the 11 named segments, then Other Customers, and every scored customer has one', () => {
    expect(rfm.segments.map((s) => s.label)).toEqual([
      'Champions',
      "Can't Lose Them",
      'Loyal Customers',
      'New Customers',
      'Promising',
      'Potential Loyalists',
      'Need Attention',
      'About to Sleep',
      'At Risk',
      'Lost',
      'Hibernating',
      'Other Customers',
    ]);
    const reached = new Set<string>();
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++)
        for (let m = 1; m <= 5; m++) {
          const s = segmentOf(r, f, m);
          expect(s, `${r}${f}${m}`).not.toBeNull();
          reached.add(s as string);
        }
    expect(reached.size).toBe(12);
  });

  it('gives no RFM segment to a member without scores', () => {
    expect(
      assignSchemes(member({ r_score: null, f_score: 3, m_score: 3 }), PROGRAM, [rfm])[0]?.memberships,
    ).toEqual([]);
    expect(assignSchemes(member(), PROGRAM, [rfm])[0]?.memberships).toEqual([]);
  });

  it('explains with the scores', () => {
    const [a] = assignSchemes(member({ r_score: 5, f_score: 4, m_score: 5 }), PROGRAM, [rfm]);
    expect(a?.memberships[0]?.explanation).toBe(
      'Champions: R score 5 is between 4 and 5 and F score 4 is between 4 and 5 and M score 5 is between 4 and 5',
    );
  });
});
