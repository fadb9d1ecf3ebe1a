import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ledgers,
  openPage,
  postForm,
  preferenceTestApp,
  programWithMemberLink,
} from '../../../test/browser/preference-fixtures.ts';
import { TEST_NOW } from '../../../test/fixtures/programs.ts';
import { ingestBatch } from '../../services/ingest-batch.ts';

// The one-click unsubscribe from all marketing.

const { database, deps, app, clock } = await preferenceTestApp();
afterAll(() => database.close());
beforeEach(() => {
  clock.now = TEST_NOW;
});

describe('POST /preferences/:token/unsubscribe', () => {
  it('revokes marketing on every channel in one click, without needing the cookie', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    await ingestBatch(deps, {
      programId,
      kind: 'consents',
      records: [
        {
          id: 'c1',
          memberId: 'M1',
          occurredAt: '2024-01-01',
          channel: 'email',
          purpose: 'marketing',
          status: 'granted',
        },
        {
          id: 'c2',
          memberId: 'M1',
          occurredAt: '2024-01-01',
          channel: 'email',
          purpose: 'service',
          status: 'granted',
        },
      ],
    });
    const page = await openPage(app, link.path);
    const response = await postForm(app, `${link.path}/unsubscribe`, [
      ['_form', page.unsubscribeToken as string],
    ]);
    expect(response.headers.get('location')).toBe(`${link.path}?done=unsubscribed`);
    const { consents } = await ledgers(deps, programId);
    expect(
      consents.filter((c) => c.source === 'preference_centre').map((c) => [c.channel, c.purpose, c.status]),
    ).toEqual([
      ['email', 'marketing', 'revoked'],
      ['sms', 'marketing', 'revoked'],
      ['push', 'marketing', 'revoked'],
      ['in_app', 'marketing', 'revoked'],
    ]);
    const after = await openPage(app, `${link.path}?done=unsubscribed`);
    expect(after.html).toContain('You are unsubscribed from all marketing.');
    expect(after.html).not.toMatch(/name="consent" value="\w+" checked/);
  });

  it('does not accept the preference form token in place of the unsubscribe one', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const response = await postForm(app, `${link.path}/unsubscribe`, [['_form', page.formToken as string]]);
    expect(response.status).toBe(403);
    expect((await ledgers(deps, programId)).consents).toEqual([]);
  });
});
