import { createHmac, timingSafeEqual } from 'node:crypto';

// An unsubscribe link names the program, member, channel and campaign, signed with the program's
// link secret so nobody can unsubscribe someone else by editing it. It does not expire: an old
// email's link must still work (RFC 8058 asks for one-click unsubscribe from any message).

/** What an unsubscribe link stands for. */
export interface UnsubscribeSubject {
  programId: string;
  memberId: string;
  channel: string;
  campaign: string;
}

const sign = (payload: string, secret: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

/** The token in an unsubscribe link. */
export function unsubscribeToken(subject: UnsubscribeSubject, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify([subject.programId, subject.memberId, subject.channel, subject.campaign]),
  ).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The subject of a token, or undefined when it was not signed with the secret. */
export function readUnsubscribeToken(token: string, secret: string): UnsubscribeSubject | undefined {
  const [payload = '', signature = ''] = token.split('.');
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const [programId, memberId, channel, campaign] = JSON.parse(
      Buffer.from(payload, 'base64url').toString(),
    ) as string[];
    if (!programId || !memberId || !channel || !campaign) return undefined;
    return { programId, memberId, channel, campaign };
  } catch {
    return undefined;
  }
}

/** The full one-click link: `<base>/u/<token>`. */
export function unsubscribeUrl(baseUrl: string, subject: UnsubscribeSubject, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/u/${unsubscribeToken(subject, secret)}`;
}
