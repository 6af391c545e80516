// @ts-types="@types/smtp-server"
import { SMTPServer } from "smtp-server";
// @ts-types="@types/mailparser"
import { simpleParser } from "mailparser";

/** One message as the SMTP server received it, parsed. */
export interface Received {
  /** The envelope's recipients. */
  rcptTo: string[];
  from: string;
  to: string;
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

/**
 * A real SMTP server in this process (smtp-server), on 127.0.0.1: no TLS, no login. `stop`
 * closes it (an outage: connections are refused), `start` opens it again on the same port.
 * `waitFor(n)` resolves once `n` messages arrived in all.
 */
export class TestSmtp {
  readonly messages: Received[] = [];
  port = 0;
  #server?: SMTPServer;
  #waiters: { n: number; resolve: () => void }[] = [];

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream).then((mail) => {
          this.messages.push({
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            from: mail.from?.text ?? "",
            to: [mail.to ?? []].flat().map((a) => a.text).join(", "),
            subject: mail.subject ?? "",
            messageId: mail.messageId ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
          });
          callback();
          this.#waiters = this.#waiters.filter((w) => {
            if (this.messages.length < w.n) return true;
            w.resolve();
            return false;
          });
        }, callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.server.address() as { port: number }).port;
    this.#server = server;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  waitFor(n: number): Promise<void> {
    if (this.messages.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function startSmtp(): Promise<TestSmtp> {
  const smtp = new TestSmtp();
  await smtp.start();
  return smtp;
}
