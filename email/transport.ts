// @ts-types="@types/nodemailer"
import nodemailer from "nodemailer";
import type { Config } from "../config.ts";
import type { RenderedEmail } from "./template.ts";

/** One email as the transport takes it. */
export interface OutgoingEmail extends RenderedEmail {
  to: string;
  /** With its angle brackets: `<…@…>`. Stable per member, so a resent duplicate is known. */
  messageId: string;
}

/** Where an email went: accepted by the SMTP server (its answer), or written to the log. */
export type Delivery = { via: "smtp"; response: string } | { via: "log" };

export interface Mailer {
  /** The From of every email. */
  readonly from: string;
  /** The domain Message-IDs are made in (MAIL_FROM's). */
  readonly domain: string;
  /** Resolves once the SMTP server accepted the message; rejects with its refusal. */
  send(email: OutgoingEmail): Promise<Delivery>;
}

// Shorter than a sender's lease, so a hung server fails the attempt before another sender may
// claim the message.
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** The domain of `Name <user@domain>` or `user@domain`. */
function domainOf(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.split("@")[1]?.trim() || "localhost";
}

/**
 * The mailer the configuration names: SMTP through nodemailer (a connection per message: a
 * welcome email is rare, and a pool would keep sockets and timers open), or, with no SMTP
 * configured, one line of JSON on stdout per message, so nothing is lost.
 */
export function mailerFor(config: Pick<Config, "smtp" | "mailFrom">): Mailer {
  const from = config.mailFrom;
  const domain = domainOf(from);
  const smtp = config.smtp;
  if (!smtp) {
    return {
      from,
      domain,
      send: (email) => {
        console.log(JSON.stringify({ msg: "email (no SMTP configured)", from, ...email }));
        return Promise.resolve({ via: "log" });
      },
    };
  }
  const transport = "url" in smtp
    ? nodemailer.createTransport({ url: smtp.url, ...TIMEOUTS })
    : nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? "" } : undefined,
      ...TIMEOUTS,
    });
  return {
    from,
    domain,
    send: async (email) => {
      const info = await transport.sendMail({
        from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: email.messageId,
      });
      return { via: "smtp", response: String(info.response) };
    },
  };
}
