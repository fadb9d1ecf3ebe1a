import { AppError } from '../../contracts/errors.ts';
import type { ChannelSenders } from '../../services/campaigns/channel-sender.ts';
import { createSmtpEmailSender, type SmtpOptions } from '../../services/campaigns/smtp-email-sender.ts';
import { createWebhookChannelSender } from '../../services/delivery/webhook-channel-sender.ts';
import type { Deps } from '../../services/deps.ts';

/** The SMTP settings of `--smtp-url` and `--from`, checked; undefined when email is not delivered. */
export function smtpOptions(options: {
  smtpUrl?: string | undefined;
  from?: string | undefined;
}): SmtpOptions | undefined {
  if (options.smtpUrl === undefined) return undefined;
  if (options.from === undefined)
    throw new AppError('USAGE', '--smtp-url needs --from, the address mail comes from');
  const domain = /<?[^<>@\s]+@([^<>\s]+)>?\s*$/.exec(options.from)?.[1];
  if (!domain) throw new AppError('USAGE', '--from must hold an email address');
  return { url: options.smtpUrl, from: options.from, messageIdDomain: domain };
}

/**
 * The channel senders of a worker (`narrowcast worker` or `serve`): email over SMTP when it is
 * configured, and SMS, push and in-app through each program's signed webhook endpoint.
 */
export function deliverySenders(
  db: Deps['db'],
  smtp: SmtpOptions | undefined,
): { senders: ChannelSenders; close(): void } {
  const webhook = createWebhookChannelSender(db);
  const senders: ChannelSenders = { sms: webhook, push: webhook, in_app: webhook };
  if (smtp === undefined) return { senders, close() {} };
  const email = createSmtpEmailSender(smtp);
  return { senders: { ...senders, email }, close: () => email.close() };
}

/** The public address links point to, checked: an absolute http(s) URL. */
export function publicUrlOption(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('USAGE', '--public-url must be an absolute URL such as https://news.example');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('USAGE', '--public-url must be an http:// or https:// URL');
  return url.toString();
}
