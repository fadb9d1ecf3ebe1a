import { createTransport } from 'nodemailer';
import type { ChannelSender, OutgoingMessage, SendOutcome } from './channel-sender.ts';

// Email over SMTP through nodemailer. Every message carries its idempotency key as its Message-ID
// (and in a header of its own), so a receiving system that sees a retried message can recognise
// it, and RFC 8058 one-click unsubscribe headers. With an HTML part (tracked links and the open
// pixel) the message is multipart/alternative.

export interface SmtpOptions {
  /** smtp://user:pass@host:port or smtps://... */
  url: string;
  /** The From address, e.g. "Coffee Club <news@coffee.example>". */
  from: string;
  /** Domain for Message-IDs (the part after @). */
  messageIdDomain: string;
}

/**
 * The transport URL with connection pooling on unless the URL says otherwise: a worker sends one
 * message after another, and a new connection (greeting, EHLO, maybe TLS) per message made
 * delivery to a local peer take about 140 ms a message.
 */
export function pooledUrl(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('pool')) parsed.searchParams.set('pool', 'true');
  return parsed.toString();
}

/** A sender of email over one SMTP server. */
export function createSmtpEmailSender(options: SmtpOptions): ChannelSender & { close(): void } {
  const transport = createTransport(pooledUrl(options.url));
  return {
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: message.recipient,
          subject: message.subject ?? '',
          text: message.body,
          ...(message.html === undefined ? {} : { html: message.html }),
          messageId: `<${message.idempotencyKey}@${options.messageIdDomain}>`,
          headers: {
            'X-Narrowcast-Idempotency-Key': message.idempotencyKey,
            'List-Unsubscribe': `<${message.unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });
        return { ok: true, providerId: String(info.messageId) };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        // 5xx is the server's final word about this message; anything else (4xx, a dropped
        // connection, a timeout) may go through on another try.
        return {
          ok: false,
          retryable: !(typeof code === 'number' && code >= 500 && code < 600),
          error: (error as Error).message,
        };
      }
    },
    close() {
      transport.close();
    },
  };
}
